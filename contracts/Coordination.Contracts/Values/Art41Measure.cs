using System.Collections.Frozen;
using System.Text.Json.Serialization;

namespace Coordination.Contracts.Values;

/// <summary>
/// The alternatives to prosecution of article 41-1 of the code de procédure pénale, keyed by kind:
/// the article's numbering changes with reforms, the kinds do not.
/// </summary>
[JsonConverter(typeof(KebabCaseEnumConverter<Art41MeasureKind>))]
public enum Art41MeasureKind
{
    /// <summary>Formerly "rappel à la loi".</summary>
    ProbationaryCriminalWarning = 1,

    /// <summary>Orientation towards a health, social or professional structure, including courses (stages).</summary>
    HealthSocialOrProfessionalReferral,
    SituationRegularisation,
    DamageRepair,
    Mediation,

    /// <summary>Removal from the home, in cases of domestic violence.</summary>
    RemovalFromHome,
    BanFromAppearing,
    BanOnContactWithVictim,
    BanOnContactWithAccomplices,
    CivicContribution,
}

public sealed record Art41Measure(Art41MeasureKind Kind, string FrenchName)
{
    public static FrozenDictionary<Art41MeasureKind, Art41Measure> ByKind { get; } =
        new Art41Measure[]
        {
            new(Art41MeasureKind.ProbationaryCriminalWarning, "avertissement pénal probatoire"),
            new(
                Art41MeasureKind.HealthSocialOrProfessionalReferral,
                "orientation vers une structure sanitaire, sociale ou professionnelle"
            ),
            new(Art41MeasureKind.SituationRegularisation, "régularisation de situation"),
            new(Art41MeasureKind.DamageRepair, "réparation du dommage"),
            new(Art41MeasureKind.Mediation, "médiation"),
            new(Art41MeasureKind.RemovalFromHome, "éloignement du domicile"),
            new(Art41MeasureKind.BanFromAppearing, "interdiction de paraître"),
            new(Art41MeasureKind.BanOnContactWithVictim, "interdiction de contact avec la victime"),
            new(Art41MeasureKind.BanOnContactWithAccomplices, "interdiction de contact avec les coauteurs ou complices"),
            new(Art41MeasureKind.CivicContribution, "contribution citoyenne"),
        }.ToFrozenDictionary(m => m.Kind);

    public static Art41Measure Of(Art41MeasureKind kind) =>
        ByKind.TryGetValue(kind, out var measure)
            ? measure
            : throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not an article 41-1 measure kind.");
}

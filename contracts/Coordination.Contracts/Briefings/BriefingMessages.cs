using System.Text.Json.Serialization;
using Coordination.Contracts.Classification;
using Coordination.Contracts.Values;

namespace Coordination.Contracts.Briefings;

/// <summary>The closed list of priority themes a prosecutor may name in a penal-policy briefing.</summary>
[JsonConverter(typeof(KebabCaseEnumConverter<PenalPolicyTheme>))]
public enum PenalPolicyTheme
{
    DrugTrafficking = 1,
    DomesticViolence,
    JuvenileDelinquency,
    RoadSafety,
    PropertyCrime,
    PublicOrder,
    WeaponsOffences,
    RadicalisationPrevention,
    RecidivismPrevention,
    VictimSupport,
    FraudAndScams,
    EnvironmentalOffences,
}

/// <summary>1°: the prosecutor informs the coordination bodies of the penal policy on their territory.</summary>
public sealed record RecordPenalPolicyBriefing
{
    [Public]
    public required TerritoryCode Territory { get; init; }

    /// <summary>The priority security zone the briefing is about, if any.</summary>
    [Public]
    public string? PrioritySecurityZone { get; init; }

    [Public]
    public required DateOnly BriefedOn { get; init; }

    [Public]
    public required string ProsecutorOffice { get; init; }

    [Internal]
    public required IReadOnlyList<PenalPolicyTheme> PriorityThemes { get; init; }

    /// <summary>Short; penal policy, never personal data.</summary>
    [Internal]
    public required string Summary { get; init; }
}

public sealed record PenalPolicyBriefingRecorded
{
    [Public]
    public required Guid BriefingId { get; init; }

    [Public]
    public required TerritoryCode Territory { get; init; }

    [Public]
    public string? PrioritySecurityZone { get; init; }

    [Public]
    public required DateOnly BriefedOn { get; init; }

    [Public]
    public required string ProsecutorOffice { get; init; }

    [Internal]
    public required IReadOnlyList<PenalPolicyTheme> PriorityThemes { get; init; }

    [Internal]
    public required string Summary { get; init; }

    [Public]
    public required DateTimeOffset RecordedAt { get; init; }
}

/// <summary>The year is ending and the territory has had no penal-policy briefing yet.</summary>
public sealed record AnnualBriefingDue
{
    [Public]
    public required TerritoryCode Territory { get; init; }

    [Public]
    public required int Year { get; init; }

    [Public]
    public required DateOnly YearEndsOn { get; init; }

    [Public]
    public required DateTimeOffset RaisedAt { get; init; }
}

/// <summary>A calendar year closed without the briefing the article requires.</summary>
public sealed record AnnualBriefingOverdue
{
    [Public]
    public required TerritoryCode Territory { get; init; }

    [Public]
    public required int Year { get; init; }

    [Public]
    public required DateTimeOffset RaisedAt { get; init; }
}

using Coordination.Contracts.Briefings;
using Coordination.Contracts.Values;
using Coordination.ServiceDefaults.Rules;

namespace Coordination.Briefings.Domain;

/// <summary>One meeting at which the prosecutor informed the coordination bodies of the penal policy (1°).</summary>
public sealed class PenalPolicyBriefing
{
    public const int SummaryMaxLength = 2000;
    public const int ProsecutorOfficeMaxLength = 200;
    public const int PrioritySecurityZoneMaxLength = 100;

    public Guid Id { get; private init; }
    public TerritoryCode Territory { get; private init; }
    public string? PrioritySecurityZone { get; private init; }
    public DateOnly BriefedOn { get; private init; }
    public int Year { get; private init; }
    public string ProsecutorOffice { get; private init; } = "";
    public List<PenalPolicyTheme> PriorityThemes { get; private init; } = [];
    public string Summary { get; private init; } = "";
    public DateTimeOffset RecordedAt { get; private init; }

    private PenalPolicyBriefing() { }

    /// <summary>Checks every rule; records nothing if one is broken.</summary>
    public static BriefingOutcome Record(RecordPenalPolicyBriefing command, Guid id, DateTimeOffset now)
    {
        var violations = BriefingRules.Check(command, now).ToList();
        if (violations.Count > 0)
            return new BriefingOutcome(null, violations);
        return new BriefingOutcome(
            new PenalPolicyBriefing
            {
                Id = id,
                Territory = command.Territory,
                PrioritySecurityZone = string.IsNullOrWhiteSpace(command.PrioritySecurityZone) ? null : command.PrioritySecurityZone.Trim(),
                BriefedOn = command.BriefedOn,
                Year = command.BriefedOn.Year,
                ProsecutorOffice = command.ProsecutorOffice.Trim(),
                PriorityThemes = command.PriorityThemes.Distinct().ToList(),
                Summary = command.Summary.Trim(),
                RecordedAt = now,
            },
            []
        );
    }

    public PenalPolicyBriefingRecorded Recorded() =>
        new()
        {
            BriefingId = Id,
            Territory = Territory,
            PrioritySecurityZone = PrioritySecurityZone,
            BriefedOn = BriefedOn,
            ProsecutorOffice = ProsecutorOffice,
            PriorityThemes = PriorityThemes,
            Summary = Summary,
            RecordedAt = RecordedAt,
        };
}

public sealed record BriefingOutcome(PenalPolicyBriefing? Briefing, IReadOnlyList<RuleViolation> Violations);

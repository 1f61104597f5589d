using Coordination.ServiceDefaults.Territories;
using Coordination.Contracts;
using Coordination.Contracts.Briefings;
using Coordination.Contracts.Values;

namespace Coordination.Briefings.Domain;

/// <summary>The rules a briefing must meet before it counts for the year.</summary>
public static class BriefingRules
{
    public static IEnumerable<RuleViolation> Check(RecordPenalPolicyBriefing command, DateTimeOffset now)
    {
        if (!TerritoryCode.IsKnown(command.Territory.Value))
            yield return new("territory", ReasonCodes.UnknownTerritory, "The territory must be an INSEE département code.");
        else if (command.BriefedOn > TerritoryCalendar.Today(command.Territory, now))
            yield return new("briefedOn", ReasonCodes.DateInFuture, "A briefing is recorded once it has taken place: its date cannot be in the future.");

        if (command.BriefedOn.Year < 2000)
            yield return new("briefedOn", ReasonCodes.InvalidField, "The briefing date is not plausible.");

        if (string.IsNullOrWhiteSpace(command.ProsecutorOffice))
            yield return new("prosecutorOffice", ReasonCodes.MissingField, "The prosecutor's office is required.");
        else if (command.ProsecutorOffice.Trim().Length > PenalPolicyBriefing.ProsecutorOfficeMaxLength)
            yield return new("prosecutorOffice", ReasonCodes.InvalidField, $"The prosecutor's office is at most {PenalPolicyBriefing.ProsecutorOfficeMaxLength} characters.");

        if (command.PriorityThemes is null || command.PriorityThemes.Count == 0)
            yield return new("priorityThemes", ReasonCodes.MissingField, "At least one priority theme from the closed list is required.");
        else if (command.PriorityThemes.Any(t => !Enum.IsDefined(t)))
            yield return new("priorityThemes", ReasonCodes.InvalidField, "Priority themes come from the closed list.");

        if (string.IsNullOrWhiteSpace(command.Summary))
            yield return new("summary", ReasonCodes.MissingField, "A short summary is required.");
        else if (command.Summary.Trim().Length > PenalPolicyBriefing.SummaryMaxLength)
            yield return new("summary", ReasonCodes.InvalidField, $"The summary is short: at most {PenalPolicyBriefing.SummaryMaxLength} characters.");

        if (command.PrioritySecurityZone is { Length: > PenalPolicyBriefing.PrioritySecurityZoneMaxLength })
            yield return new("prioritySecurityZone", ReasonCodes.InvalidField, $"The priority security zone name is at most {PenalPolicyBriefing.PrioritySecurityZoneMaxLength} characters.");
    }
}

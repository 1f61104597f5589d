using Coordination.Contracts;
using Coordination.Contracts.Briefings;
using Coordination.Contracts.Values;
using Coordination.ServiceDefaults.Rules;
using Coordination.ServiceDefaults.Territories;

namespace Coordination.Briefings.Domain;

/// <summary>The rules a briefing must meet before it counts for the year.</summary>
public static class BriefingRules
{
    public static IEnumerable<RuleViolation> Check(RecordPenalPolicyBriefing command, DateTimeOffset now)
    {
        if (!TerritoryCode.IsKnown(command.Territory.Value))
            yield return new(ReasonCodes.UnknownTerritory, "territory", "The territory must be an INSEE département code.");
        else if (command.BriefedOn > TerritoryCalendar.Today(command.Territory, now))
            yield return new(
                ReasonCodes.DateInFuture,
                "briefedOn",
                "A briefing is recorded once it has taken place: its date cannot be in the future."
            );

        if (command.BriefedOn.Year < 2000)
            yield return new(ReasonCodes.InvalidField, "briefedOn", "The briefing date is not plausible.");

        if (string.IsNullOrWhiteSpace(command.ProsecutorOffice))
            yield return new(ReasonCodes.MissingField, "prosecutorOffice", "The prosecutor's office is required.");
        else if (command.ProsecutorOffice.Trim().Length > PenalPolicyBriefing.ProsecutorOfficeMaxLength)
            yield return new(
                ReasonCodes.InvalidField,
                "prosecutorOffice",
                $"The prosecutor's office is at most {PenalPolicyBriefing.ProsecutorOfficeMaxLength} characters."
            );

        if (command.PriorityThemes is null || command.PriorityThemes.Count == 0)
            yield return new(ReasonCodes.MissingField, "priorityThemes", "At least one priority theme from the closed list is required.");
        else if (command.PriorityThemes.Any(t => !Enum.IsDefined(t)))
            yield return new(ReasonCodes.InvalidField, "priorityThemes", "Priority themes come from the closed list.");

        if (string.IsNullOrWhiteSpace(command.Summary))
            yield return new(ReasonCodes.MissingField, "summary", "A short summary is required.");
        else if (command.Summary.Trim().Length > PenalPolicyBriefing.SummaryMaxLength)
            yield return new(
                ReasonCodes.InvalidField,
                "summary",
                $"The summary is short: at most {PenalPolicyBriefing.SummaryMaxLength} characters."
            );

        if (command.PrioritySecurityZone is { Length: > PenalPolicyBriefing.PrioritySecurityZoneMaxLength })
            yield return new(
                ReasonCodes.InvalidField,
                "prioritySecurityZone",
                $"The priority security zone name is at most {PenalPolicyBriefing.PrioritySecurityZoneMaxLength} characters."
            );
    }

    /// <summary>
    /// The broken rules as one refusal, for a door that answers with one reason (AMQP): the first rule's
    /// code, and every field with its sentence, so that one fault names everything to fix.
    /// </summary>
    public static RuleViolation Refusal(IReadOnlyList<RuleViolation> violations) =>
        new(
            violations[0].ReasonCode,
            violations.Count == 1 ? violations[0].Field : "",
            string.Join(" ", violations.Select(v => $"{v.Field}: {v.Reason}"))
        );
}

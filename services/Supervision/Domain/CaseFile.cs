using Coordination.Contracts.Gateway;
using Coordination.Contracts.Supervision;
using Coordination.Contracts.Values;

namespace Coordination.Supervision.Domain;

/// <summary>
/// What a case can tell, by data category: the whole file this service holds. The sharing rules in
/// force decide at the gateway, per recipient role, which of these categories each one receives.
/// </summary>
public static class CaseFile
{
    /// <summary>On assignment: who the person is, how to reach them, why they are followed, the plan and the support actions.</summary>
    public static readonly IReadOnlyList<DataCategory> OnAssignment =
    [
        DataCategory.Identity,
        DataCategory.ContactDetails,
        DataCategory.DesignationGrounds,
        DataCategory.ControlPlan,
        DataCategory.SupportActions,
    ];

    /// <summary>A support action planned or reported on: the actions, to the roles the rules grant them.</summary>
    public static readonly IReadOnlyList<DataCategory> OnSupportChange = [DataCategory.SupportActions];

    public static readonly IReadOnlyList<DataCategory> OnPlanChange = [DataCategory.ControlPlan];

    /// <summary>After a control or an incident: the outcomes and incidents, to the roles the rules grant them.</summary>
    public static readonly IReadOnlyList<DataCategory> OnFollowUp = [DataCategory.ControlOutcomes, DataCategory.Incidents];

    /// <summary>The plan always, and each other category asked for (the gateway adds identity and contacts from the vault).</summary>
    public static Dictionary<string, object> Of(SupervisionCase supervision, IReadOnlyList<DataCategory> categories)
    {
        var file = new Dictionary<string, object>
        {
            [ClosedList<DataCategory>.WordOf(DataCategory.ControlPlan)] = supervision
                .Controls.Where(c => c.ScheduledFor is not null && c.Outcome is null or ControlOutcome.Postponed)
                .OrderBy(c => c.ScheduledFor)
                .Select(c => new
                {
                    controlId = c.Id,
                    scheduledFor = c.ScheduledFor,
                    partner = c.Partner,
                })
                .ToList(),
        };
        if (categories.Contains(DataCategory.ControlOutcomes))
            file[ClosedList<DataCategory>.WordOf(DataCategory.ControlOutcomes)] = supervision
                .Controls.Where(c => c.Outcome is not null)
                .OrderBy(c => c.ControlledOn)
                .Select(c => new
                {
                    controlId = c.Id,
                    controlledOn = c.ControlledOn,
                    outcome = ClosedList<ControlOutcome>.WordOf(c.Outcome!.Value),
                    partner = c.Partner,
                })
                .ToList();
        if (categories.Contains(DataCategory.Incidents))
            file[ClosedList<DataCategory>.WordOf(DataCategory.Incidents)] = supervision
                .Incidents.OrderBy(i => i.OccurredAt)
                .Select(i => new
                {
                    incidentId = i.Id,
                    occurredAt = i.OccurredAt,
                    kind = ClosedList<IncidentKind>.WordOf(i.Kind),
                    severity = ClosedList<IncidentSeverity>.WordOf(i.Severity),
                })
                .ToList();
        if (categories.Contains(DataCategory.SupportActions))
            file[ClosedList<DataCategory>.WordOf(DataCategory.SupportActions)] = supervision
                .SupportActions.OrderBy(a => a.PlannedOn)
                .Select(a => new
                {
                    actionId = a.Id,
                    kind = ClosedList<SupportActionKind>.WordOf(a.Kind),
                    partner = a.Partner,
                    status = ClosedList<SupportActionStatus>.WordOf(a.Status),
                    plannedOn = a.PlannedOn,
                    startedOn = a.StartedOn,
                    closedOn = a.ClosedOn,
                })
                .ToList();
        if (categories.Contains(DataCategory.DesignationGrounds))
            file[ClosedList<DataCategory>.WordOf(DataCategory.DesignationGrounds)] = supervision
                .Grounds.Select(ClosedList<DesignationGround>.WordOf)
                .ToList();
        return file;
    }

    /// <summary>
    /// The receipt told to the designating authority: the case's reference and state, and for an ended
    /// case when and why it ended.
    /// </summary>
    public static Dictionary<string, object> ReceiptOf(SupervisionCase supervision, CaseNotice notice)
    {
        var receipt = new Dictionary<string, object?>
        {
            ["caseId"] = supervision.Id,
            ["territory"] = supervision.Territory.Value,
            ["sentenceEnforcementJurisdiction"] = supervision.SentenceEnforcementJurisdiction,
            ["status"] = ClosedList<CaseStatus>.WordOf(supervision.Status),
            ["openedAt"] = supervision.OpenedAt,
        };
        if (notice == CaseNotice.CaseEnded)
        {
            receipt["endedAt"] = supervision.EndedAt;
            receipt["endReason"] = supervision.EndReason is { } reason ? ClosedList<SupervisionEndReason>.WordOf(reason) : null;
        }
        return new Dictionary<string, object> { [ClosedList<DataCategory>.WordOf(DataCategory.DesignationReceipt)] = receipt };
    }
}

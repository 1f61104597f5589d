using System.Text.Json;
using Coordination.Contracts.Gateway;
using Coordination.Contracts.Supervision;
using Coordination.Contracts.Values;
using Coordination.ServiceDefaults.Sealing;
using MassTransit;

namespace Coordination.Supervision.Domain;

/// <summary>
/// What a case tells its partners, asked of the gateway: the whole file the service holds, sealed
/// for the gateway; the sharing rules in force decide, per partner role, which categories each one
/// receives (and whether the identity is re-attached from the vault).
/// </summary>
public static class PartnerInformation
{
    public const string Purpose = Purposes.CommunitySupervision;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>On assignment: who the person is, how to reach them, why they are followed, the plan and the support actions.</summary>
    public static readonly IReadOnlyList<DataCategory> OnAssignment =
        [DataCategory.Identity, DataCategory.ContactDetails, DataCategory.DesignationGrounds, DataCategory.ControlPlan, DataCategory.SupportActions];

    /// <summary>A support action planned or reported on: the actions, to the roles the rules grant them.</summary>
    public static readonly IReadOnlyList<DataCategory> OnSupportChange = [DataCategory.SupportActions];

    public static readonly IReadOnlyList<DataCategory> OnPlanChange = [DataCategory.ControlPlan];

    /// <summary>After a control or an incident: the outcomes and incidents, to the roles the rules grant them.</summary>
    public static readonly IReadOnlyList<DataCategory> OnFollowUp = [DataCategory.ControlOutcomes, DataCategory.Incidents];

    public static (ReleaseConfidentialPayload Request, Guid MessageId) Release(SupervisionCase supervision, IReadOnlyList<string> partners,
        IReadOnlyList<DataCategory> categories, SealingKeyStore keys)
    {
        var messageId = NewId.NextGuid();
        var file = new Dictionary<string, object>
        {
            [ClosedList<DataCategory>.WordOf(DataCategory.ControlPlan)] = supervision.Controls
                .Where(c => c.ScheduledFor is not null && c.Outcome is null or ControlOutcome.Postponed)
                .OrderBy(c => c.ScheduledFor)
                .Select(c => new { controlId = c.Id, scheduledFor = c.ScheduledFor, partner = c.Partner })
                .ToList(),
        };
        if (categories.Contains(DataCategory.ControlOutcomes))
            file[ClosedList<DataCategory>.WordOf(DataCategory.ControlOutcomes)] = supervision.Controls
                .Where(c => c.Outcome is not null)
                .OrderBy(c => c.ControlledOn)
                .Select(c => new { controlId = c.Id, controlledOn = c.ControlledOn, outcome = ClosedList<ControlOutcome>.WordOf(c.Outcome!.Value), partner = c.Partner })
                .ToList();
        if (categories.Contains(DataCategory.Incidents))
            file[ClosedList<DataCategory>.WordOf(DataCategory.Incidents)] = supervision.Incidents
                .OrderBy(i => i.OccurredAt)
                .Select(i => new { incidentId = i.Id, occurredAt = i.OccurredAt, kind = ClosedList<IncidentKind>.WordOf(i.Kind), severity = ClosedList<IncidentSeverity>.WordOf(i.Severity) })
                .ToList();
        if (categories.Contains(DataCategory.SupportActions))
            file[ClosedList<DataCategory>.WordOf(DataCategory.SupportActions)] = supervision.SupportActions
                .OrderBy(a => a.PlannedOn)
                .Select(a => new
                {
                    actionId = a.Id, kind = ClosedList<SupportActionKind>.WordOf(a.Kind), partner = a.Partner,
                    status = ClosedList<SupportActionStatus>.WordOf(a.Status), plannedOn = a.PlannedOn, startedOn = a.StartedOn, closedOn = a.ClosedOn,
                })
                .ToList();
        if (categories.Contains(DataCategory.DesignationGrounds))
            file[ClosedList<DataCategory>.WordOf(DataCategory.DesignationGrounds)] = supervision.Grounds.Select(ClosedList<DesignationGround>.WordOf).ToList();
        var request = new ReleaseConfidentialPayload
        {
            ReleaseId = NewId.NextGuid(),
            Territory = supervision.Territory,
            Purpose = Purpose,
            Categories = categories,
            Recipients = partners,
            Person = supervision.Person,
            Restriction = supervision.Restriction,
            Payload = PayloadSealer.Seal(JsonSerializer.SerializeToUtf8Bytes(file, Json), keys.CurrentKeyOf(KeyOwners.Gateway), Purpose, messageId),
        };
        return (request, messageId);
    }

    /// <summary>The partners currently on the case: those taken off get nothing more.</summary>
    public static IReadOnlyList<string> CurrentPartners(SupervisionCase supervision) => supervision.CurrentAssignments.Select(a => a.Partner).ToList();

    /// <summary>
    /// A notice to the authority that designated the person (<c>supervision.designation-accepted</c>,
    /// <c>supervision.case-ended</c>), asked of the gateway on this service's lane like any release.
    /// It carries the reference and the case's state; the gateway adds the authority's own reference
    /// from the vault and releases it only to the agency the vault says designated the person. Null for
    /// a case whose designating agency is not known (opened before the receipts existed).
    /// </summary>
    public static (ReleaseConfidentialPayload Request, Guid MessageId)? Notice(SupervisionCase supervision, CaseNotice notice, SealingKeyStore keys)
    {
        if (supervision.DesignatedBy is not { } authority) return null;
        var messageId = NewId.NextGuid();
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
        var file = new Dictionary<string, object> { [ClosedList<DataCategory>.WordOf(DataCategory.DesignationReceipt)] = receipt };
        var request = new ReleaseConfidentialPayload
        {
            ReleaseId = NewId.NextGuid(),
            Territory = supervision.Territory,
            Purpose = Purpose,
            Categories = [DataCategory.DesignationReceipt],
            Recipients = [authority],
            Person = supervision.Person,
            Notice = notice,
            Restriction = supervision.Restriction,
            Payload = PayloadSealer.Seal(JsonSerializer.SerializeToUtf8Bytes(file, Json), keys.CurrentKeyOf(KeyOwners.Gateway), Purpose, messageId),
        };
        return (request, messageId);
    }
}

using System.Globalization;
using System.Text.Json;
using Coordination.Contracts;
using Coordination.Contracts.Gateway;
using Coordination.Contracts.Supervision;
using Coordination.Contracts.Values;
using Coordination.Gateway.Application;
using Coordination.Gateway.Application.Ingress;
using Coordination.Gateway.Domain;
using Coordination.Gateway.Persistence;
using Coordination.ServiceDefaults.Security;
using Coordination.ServiceDefaults.Territories;
using Microsoft.EntityFrameworkCore;
using RecordControlCommand = Coordination.Contracts.Supervision.RecordControl;
using ReportIncidentCommand = Coordination.Contracts.Supervision.ReportIncident;

namespace Coordination.Gateway.Application.Ingress.Types;

/// <summary>
/// What a partner did on a case: only by a partner assigned to that person's open case (the partner
/// is the account it sends under, never a payload field), and only about what has happened.
/// </summary>
public abstract class PartnerCaseReport(GatewayDbContext db, TimeProvider clock) : IngressType
{
    protected GatewayDbContext Db => db;

    public override IReadOnlySet<PrincipalRole> Senders => IngressSenders.Partners;

    /// <summary>The day, in the territory, the reported control or incident happened.</summary>
    protected abstract DateOnly HappenedOn(IngressMessage message);

    public override async Task<Refusal?> RefusalOfContentAsync(IngressMessage message, CancellationToken cancellationToken)
    {
        var notAssigned = new Refusal(
            ReasonCodes.NotAssignedToCase,
            "This partner is not assigned to an open supervision case of that person."
        );
        if (!PersonRef.TryParse(Text(message, "personRef"), out var person) || person.Territory != message.Territory)
            return notAssigned;
        // What is recorded has happened: a later date is a typing mistake that would date reports in the future.
        if (HappenedOn(message) > TerritoryCalendar.Today(message.Territory, clock.GetUtcNow()))
            return new Refusal(ReasonCodes.DateInFuture, "What is recorded has happened: the date is after today in the territory.");
        var assignments = await db
            .PartnerAssignments.AsNoTracking()
            .Where(a => a.Person == person && a.Partner == message.Source.Agency)
            .Select(a => a.UnassignedAt)
            .ToListAsync(cancellationToken);
        if (assignments.Any(off => off is null))
            return null;
        // Taken off the case: final, unlike a new assignment the door may not have heard of yet.
        return assignments.Count > 0
            ? new Refusal(ReasonCodes.UnassignedFromCase, "This partner was taken off that person's supervision case.")
            : notAssigned;
    }
}

public sealed class RecordControl(GatewayDbContext db, TimeProvider clock) : PartnerCaseReport(db, clock)
{
    public override string Name => IngressTypeNames.RecordControl;

    protected override DateOnly HappenedOn(IngressMessage message) =>
        DateOnly.Parse(Text(message, "controlledOn")!, CultureInfo.InvariantCulture);

    public override Task<Forwarded> ForwardAsync(IngressMessage message, CancellationToken cancellationToken)
    {
        var control = message.Payload.Deserialize<ControlPayload>(Json)!;
        Db.PublishOnCommit(
            new RecordControlCommand
            {
                ControlId = control.ControlId,
                Person = PersonRef.Parse(control.PersonRef),
                Partner = PartnerId.Parse(message.Source.Agency),
                ControlledOn = control.ControlledOn,
                Outcome = control.Outcome,
            },
            correlationId: message.MessageId
        );
        return Task.FromResult(
            new Forwarded(IngressRecipients.Supervision, [$"person:{control.PersonRef}", $"control:{control.ControlId}"])
        );
    }

    private sealed record ControlPayload(string PersonRef, Guid ControlId, DateOnly ControlledOn, ControlOutcome Outcome);
}

public sealed class ReportIncident(GatewayDbContext db, TimeProvider clock) : PartnerCaseReport(db, clock)
{
    public override string Name => IngressTypeNames.ReportIncident;

    protected override DateOnly HappenedOn(IngressMessage message) =>
        TerritoryCalendar.Today(message.Territory, message.Payload.GetProperty("occurredAt").GetDateTimeOffset());

    public override Task<Forwarded> ForwardAsync(IngressMessage message, CancellationToken cancellationToken)
    {
        var incident = message.Payload.Deserialize<IncidentPayload>(Json)!;
        Db.PublishOnCommit(
            new ReportIncidentCommand
            {
                IncidentId = incident.IncidentId,
                Person = PersonRef.Parse(incident.PersonRef),
                Partner = PartnerId.Parse(message.Source.Agency),
                Kind = incident.Kind,
                Severity = incident.Severity,
                OccurredAt = incident.OccurredAt,
            },
            correlationId: message.MessageId
        );
        return Task.FromResult(
            new Forwarded(IngressRecipients.Supervision, [$"person:{incident.PersonRef}", $"incident:{incident.IncidentId}"])
        );
    }

    private sealed record IncidentPayload(
        string PersonRef,
        Guid IncidentId,
        IncidentKind Kind,
        IncidentSeverity Severity,
        DateTimeOffset OccurredAt
    );
}

/// <summary>
/// 3°'s follow-up: a partner reports how a support action it carries (housing, employment, care…)
/// is going. Supervision checks the action is the sending partner's.
/// </summary>
public sealed class ReportSupportProgress(GatewayDbContext db, TimeProvider clock) : PartnerCaseReport(db, clock)
{
    public override string Name => IngressTypeNames.ReportSupportProgress;

    protected override DateOnly HappenedOn(IngressMessage message) => DateOnly.Parse(Text(message, "on")!, CultureInfo.InvariantCulture);

    public override Task<Forwarded> ForwardAsync(IngressMessage message, CancellationToken cancellationToken)
    {
        var progress = message.Payload.Deserialize<ProgressPayload>(Json)!;
        Db.PublishOnCommit(
            new Coordination.Contracts.Supervision.ReportSupportProgress
            {
                ActionId = progress.ActionId,
                Person = PersonRef.Parse(progress.PersonRef),
                Partner = PartnerId.Parse(message.Source.Agency),
                Status = progress.Status,
                On = progress.On,
            },
            correlationId: message.MessageId
        );
        return Task.FromResult(
            new Forwarded(IngressRecipients.Supervision, [$"person:{progress.PersonRef}", $"support-action:{progress.ActionId}"])
        );
    }

    private sealed record ProgressPayload(string PersonRef, Guid ActionId, SupportActionStatus Status, DateOnly On);
}

using Coordination.Contracts.Gateway;
using Coordination.Contracts.Supervision;
using Coordination.CourtReporting.Application;
using Coordination.CourtReporting.Persistence;
using Coordination.ServiceDefaults.Outbox;
using MassTransit;

namespace Coordination.CourtReporting.Consumers;

// Adapters over Application/: each maps one of Supervision's facts or the gateway's answers to its handler, on the
// consumer's own context (in a group commit, the writer's).

/// <summary>
/// A fact about one case. It is read and written in one transaction, so that a purge committed in
/// between cannot be undone by it, and two facts of one case cannot overwrite each other's change;
/// a fact of a case already purged is dropped and counted.
/// </summary>
public abstract class CaseFactConsumer<TMessage>(CourtReportingDbContext db, LateFactFilter late)
    : IdempotentConsumer<TMessage, CourtReportingDbContext>(db)
    where TMessage : class
{
    protected override bool ReadsAndWritesInOneTransaction => true;

    protected abstract Guid CaseOf(TMessage fact);

    protected sealed override async Task Handle(ConsumeContext<TMessage> context)
    {
        if (await late.IsLateAsync(Db, CaseOf(context.Message), typeof(TMessage).Name, context.MessageId, context.CancellationToken))
            return;
        await HandleFact(context.Message, context.CancellationToken);
    }

    protected abstract Task HandleFact(TMessage fact, CancellationToken ct);
}

/// <summary>Supervision's <c>SupervisionOpened</c> (<see cref="SupervisionOpenedHandler"/>).</summary>
public sealed class SupervisionOpenedConsumer(CourtReportingDbContext db, SupervisionOpenedHandler handler, LateFactFilter late)
    : CaseFactConsumer<SupervisionOpened>(db, late)
{
    /// <summary>The report issuer stages through the consumer's own context: this unit commits alone.</summary>
    protected override bool CommitsInGroup => false;

    protected override Guid CaseOf(SupervisionOpened fact) => fact.CaseId;

    protected override Task HandleFact(SupervisionOpened fact, CancellationToken ct) => handler.HandleAsync(Db, fact, ct);
}

/// <summary>Nothing of its own: the platform's queue, retries and error queue (<c>AddCoordinationConsumers</c>) serve it.</summary>
public sealed class SupervisionOpenedConsumerDefinition : ConsumerDefinition<SupervisionOpenedConsumer>;

/// <summary>Supervision's <c>PartnerAssigned</c> (<see cref="PartnerAssignedHandler"/>).</summary>
public sealed class PartnerAssignedConsumer(CourtReportingDbContext db, PartnerAssignedHandler handler, LateFactFilter late)
    : CaseFactConsumer<PartnerAssigned>(db, late)
{
    protected override Guid CaseOf(PartnerAssigned fact) => fact.CaseId;

    protected override Task HandleFact(PartnerAssigned fact, CancellationToken ct) => handler.HandleAsync(Db, fact, ct);
}

/// <summary>Nothing of its own: the platform's queue, retries and error queue (<c>AddCoordinationConsumers</c>) serve it.</summary>
public sealed class PartnerAssignedConsumerDefinition : ConsumerDefinition<PartnerAssignedConsumer>;

/// <summary>Supervision's <c>ControlScheduled</c> (<see cref="ControlScheduledHandler"/>).</summary>
public sealed class ControlScheduledConsumer(CourtReportingDbContext db, ControlScheduledHandler handler, LateFactFilter late)
    : CaseFactConsumer<ControlScheduled>(db, late)
{
    protected override Guid CaseOf(ControlScheduled fact) => fact.CaseId;

    protected override Task HandleFact(ControlScheduled fact, CancellationToken ct) => handler.HandleAsync(Db, fact, ct);
}

/// <summary>Nothing of its own: the platform's queue, retries and error queue (<c>AddCoordinationConsumers</c>) serve it.</summary>
public sealed class ControlScheduledConsumerDefinition : ConsumerDefinition<ControlScheduledConsumer>;

/// <summary>Supervision's <c>ControlRecorded</c> (<see cref="ControlRecordedHandler"/>).</summary>
public sealed class ControlRecordedConsumer(CourtReportingDbContext db, ControlRecordedHandler handler, LateFactFilter late)
    : CaseFactConsumer<ControlRecorded>(db, late)
{
    protected override Guid CaseOf(ControlRecorded fact) => fact.CaseId;

    protected override Task HandleFact(ControlRecorded fact, CancellationToken ct) => handler.HandleAsync(Db, fact, ct);
}

/// <summary>Nothing of its own: the platform's queue, retries and error queue (<c>AddCoordinationConsumers</c>) serve it.</summary>
public sealed class ControlRecordedConsumerDefinition : ConsumerDefinition<ControlRecordedConsumer>;

/// <summary>Supervision's <c>IncidentReported</c> (<see cref="IncidentReportedHandler"/>).</summary>
public sealed class IncidentReportedConsumer(CourtReportingDbContext db, IncidentReportedHandler handler, LateFactFilter late)
    : CaseFactConsumer<IncidentReported>(db, late)
{
    /// <summary>The report issuer stages through the consumer's own context: this unit commits alone.</summary>
    protected override bool CommitsInGroup => false;

    protected override Guid CaseOf(IncidentReported fact) => fact.CaseId;

    protected override Task HandleFact(IncidentReported fact, CancellationToken ct) => handler.HandleAsync(Db, fact, ct);
}

/// <summary>Nothing of its own: the platform's queue, retries and error queue (<c>AddCoordinationConsumers</c>) serve it.</summary>
public sealed class IncidentReportedConsumerDefinition : ConsumerDefinition<IncidentReportedConsumer>;

/// <summary>Supervision's <c>PartnerUnassigned</c> (<see cref="PartnerUnassignedHandler"/>).</summary>
public sealed class PartnerUnassignedConsumer(CourtReportingDbContext db, PartnerUnassignedHandler handler, LateFactFilter late)
    : CaseFactConsumer<PartnerUnassigned>(db, late)
{
    protected override Guid CaseOf(PartnerUnassigned fact) => fact.CaseId;

    protected override Task HandleFact(PartnerUnassigned fact, CancellationToken ct) => handler.HandleAsync(Db, fact, ct);
}

/// <summary>Nothing of its own: the platform's queue, retries and error queue (<c>AddCoordinationConsumers</c>) serve it.</summary>
public sealed class PartnerUnassignedConsumerDefinition : ConsumerDefinition<PartnerUnassignedConsumer>;

/// <summary>Supervision's <c>SupportActionPlanned</c> (<see cref="SupportActionPlannedHandler"/>).</summary>
public sealed class SupportActionPlannedConsumer(CourtReportingDbContext db, SupportActionPlannedHandler handler, LateFactFilter late)
    : CaseFactConsumer<SupportActionPlanned>(db, late)
{
    protected override Guid CaseOf(SupportActionPlanned fact) => fact.CaseId;

    protected override Task HandleFact(SupportActionPlanned fact, CancellationToken ct) => handler.HandleAsync(Db, fact, ct);
}

/// <summary>Nothing of its own: the platform's queue, retries and error queue (<c>AddCoordinationConsumers</c>) serve it.</summary>
public sealed class SupportActionPlannedConsumerDefinition : ConsumerDefinition<SupportActionPlannedConsumer>;

/// <summary>Supervision's <c>SupportActionProgressed</c> (<see cref="SupportActionProgressedHandler"/>).</summary>
public sealed class SupportActionProgressedConsumer(CourtReportingDbContext db, SupportActionProgressedHandler handler, LateFactFilter late)
    : CaseFactConsumer<SupportActionProgressed>(db, late)
{
    protected override Guid CaseOf(SupportActionProgressed fact) => fact.CaseId;

    protected override Task HandleFact(SupportActionProgressed fact, CancellationToken ct) => handler.HandleAsync(Db, fact, ct);
}

/// <summary>Nothing of its own: the platform's queue, retries and error queue (<c>AddCoordinationConsumers</c>) serve it.</summary>
public sealed class SupportActionProgressedConsumerDefinition : ConsumerDefinition<SupportActionProgressedConsumer>;

/// <summary>Supervision's <c>SupervisionEnded</c> (<see cref="SupervisionEndedHandler"/>).</summary>
public sealed class SupervisionEndedConsumer(CourtReportingDbContext db, SupervisionEndedHandler handler, LateFactFilter late)
    : CaseFactConsumer<SupervisionEnded>(db, late)
{
    protected override Guid CaseOf(SupervisionEnded fact) => fact.CaseId;

    protected override Task HandleFact(SupervisionEnded fact, CancellationToken ct) => handler.HandleAsync(Db, fact, ct);
}

/// <summary>Nothing of its own: the platform's queue, retries and error queue (<c>AddCoordinationConsumers</c>) serve it.</summary>
public sealed class SupervisionEndedConsumerDefinition : ConsumerDefinition<SupervisionEndedConsumer>;

/// <summary>Retention elapsed (<see cref="SupervisionPurgedHandler"/>), in one transaction with the outbox rows it removes.</summary>
public sealed class SupervisionPurgedConsumer(CourtReportingDbContext db, SupervisionPurgedHandler handler)
    : IdempotentConsumer<SupervisionPurged, CourtReportingDbContext>(db)
{
    protected override bool ReadsAndWritesInOneTransaction => true;

    private string? _forgotten;

    protected override async Task Handle(ConsumeContext<SupervisionPurged> context) =>
        _forgotten = await handler.HandleAsync(Db, context.Message, context.CancellationToken);

    /// <summary>Inside the consumer's one transaction: the release requests that listed the person go with the lines.</summary>
    protected override Task CommitAsync(CancellationToken cancellationToken) => handler.CommitAsync(Db, _forgotten, cancellationToken);
}

/// <summary>Nothing of its own: the platform's queue, retries and error queue (<c>AddCoordinationConsumers</c>) serve it.</summary>
public sealed class SupervisionPurgedConsumerDefinition : ConsumerDefinition<SupervisionPurgedConsumer>;

/// <summary>The gateway refused a report to a recipient (<see cref="ReportDeniedHandler"/>).</summary>
public sealed class ConfidentialPayloadDeniedConsumer(CourtReportingDbContext db, ReportDeniedHandler handler)
    : IdempotentConsumer<ConfidentialPayloadDenied, CourtReportingDbContext>(db)
{
    protected override bool ReadsAndWritesInOneTransaction => true;

    protected override Task Handle(ConsumeContext<ConfidentialPayloadDenied> context) =>
        handler.HandleAsync(Db, context.Message, context.CancellationToken);
}

/// <summary>Nothing of its own: the platform's queue, retries and error queue (<c>AddCoordinationConsumers</c>) serve it.</summary>
public sealed class ConfidentialPayloadDeniedConsumerDefinition : ConsumerDefinition<ConfidentialPayloadDeniedConsumer>;

/// <summary>The gateway delivered a report to a recipient (<see cref="ReportReleasedHandler"/>).</summary>
public sealed class ConfidentialPayloadReleasedConsumer(CourtReportingDbContext db, ReportReleasedHandler handler)
    : IdempotentConsumer<ConfidentialPayloadReleased, CourtReportingDbContext>(db)
{
    protected override bool ReadsAndWritesInOneTransaction => true;

    protected override Task Handle(ConsumeContext<ConfidentialPayloadReleased> context) =>
        handler.HandleAsync(Db, context.Message, context.CancellationToken);
}

/// <summary>Nothing of its own: the platform's queue, retries and error queue (<c>AddCoordinationConsumers</c>) serve it.</summary>
public sealed class ConfidentialPayloadReleasedConsumerDefinition : ConsumerDefinition<ConfidentialPayloadReleasedConsumer>;

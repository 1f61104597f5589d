using Coordination.Contracts.Supervision;
using Coordination.ServiceDefaults.Outbox;
using Coordination.Supervision.Application;
using Coordination.Supervision.Persistence;
using MassTransit;

namespace Coordination.Supervision.Consumers;

/// <summary>A control's outcome from a partner, forwarded by the gateway (<see cref="RecordControlHandler"/>).</summary>
public sealed class RecordControlConsumer(SupervisionDbContext db, RecordControlHandler handler)
    : IdempotentConsumer<RecordControl, SupervisionDbContext>(db)
{
    protected override Task Handle(ConsumeContext<RecordControl> context) => handler.HandleAsync(Db, context.Message, context);
}

/// <summary>Nothing of its own: the platform's queue, retries and error queue (<c>AddCoordinationConsumers</c>) serve it.</summary>
public sealed class RecordControlConsumerDefinition : ConsumerDefinition<RecordControlConsumer>;

/// <summary>An incident from an assigned partner, forwarded by the gateway (<see cref="ReportIncidentHandler"/>).</summary>
public sealed class ReportIncidentConsumer(SupervisionDbContext db, ReportIncidentHandler handler)
    : IdempotentConsumer<ReportIncident, SupervisionDbContext>(db)
{
    protected override Task Handle(ConsumeContext<ReportIncident> context) => handler.HandleAsync(Db, context.Message, context);
}

/// <summary>Nothing of its own: the platform's queue, retries and error queue (<c>AddCoordinationConsumers</c>) serve it.</summary>
public sealed class ReportIncidentConsumerDefinition : ConsumerDefinition<ReportIncidentConsumer>;

/// <summary>A partner's report on a support action it carries (<see cref="ReportSupportProgressHandler"/>).</summary>
public sealed class ReportSupportProgressConsumer(SupervisionDbContext db, ReportSupportProgressHandler handler)
    : IdempotentConsumer<ReportSupportProgress, SupervisionDbContext>(db)
{
    protected override Task Handle(ConsumeContext<ReportSupportProgress> context) => handler.HandleAsync(Db, context.Message, context);
}

/// <summary>Nothing of its own: the platform's queue, retries and error queue (<c>AddCoordinationConsumers</c>) serve it.</summary>
public sealed class ReportSupportProgressConsumerDefinition : ConsumerDefinition<ReportSupportProgressConsumer>;

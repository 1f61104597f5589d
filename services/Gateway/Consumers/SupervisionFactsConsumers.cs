using Coordination.Contracts.Supervision;
using Coordination.Gateway.Application;
using Coordination.Gateway.Persistence;
using Coordination.ServiceDefaults.Outbox;
using MassTransit;

namespace Coordination.Gateway.Consumers;

// Supervision's facts about a case. Each is read and written in one transaction
// (ReadsAndWritesInOneTransaction): a purge committed in between cannot be undone by it. The handlers
// stage their effect on Db, the unit of work the idempotent base commits with the inbox entry.

/// <summary>Who follows whom: kept so that the door checks a partner's messages against its own cases.</summary>
public sealed class PartnerAssignedConsumer(GatewayDbContext db, PartnerAssignedHandler handler)
    : IdempotentConsumer<PartnerAssigned, GatewayDbContext>(db)
{
    protected override bool ReadsAndWritesInOneTransaction => true;

    protected override Task Handle(ConsumeContext<PartnerAssigned> context) =>
        handler.StageAsync(Db, context.Message, context.MessageId, context.CancellationToken);
}

/// <summary>Endpoint policy of <see cref="PartnerAssignedConsumer"/>: the platform's, set per endpoint.</summary>
public sealed class PartnerAssignedConsumerDefinition : ConsumerDefinition<PartnerAssignedConsumer>;

/// <summary>A partner taken off a case: the door refuses its messages about the case from now on.</summary>
public sealed class PartnerUnassignedConsumer(GatewayDbContext db, PartnerUnassignedHandler handler)
    : IdempotentConsumer<PartnerUnassigned, GatewayDbContext>(db)
{
    protected override bool ReadsAndWritesInOneTransaction => true;

    protected override Task Handle(ConsumeContext<PartnerUnassigned> context) =>
        handler.StageAsync(Db, context.Message, context.MessageId, context.CancellationToken);
}

/// <summary>Endpoint policy of <see cref="PartnerUnassignedConsumer"/>: the platform's, set per endpoint.</summary>
public sealed class PartnerUnassignedConsumerDefinition : ConsumerDefinition<PartnerUnassignedConsumer>;

/// <summary>The case is restricted: from now on every release about it needs a sharing rule that names the restriction.</summary>
public sealed class CaseRestrictedConsumer(GatewayDbContext db, CaseRestrictedHandler handler)
    : IdempotentConsumer<CaseRestricted, GatewayDbContext>(db)
{
    protected override bool ReadsAndWritesInOneTransaction => true;

    protected override Task Handle(ConsumeContext<CaseRestricted> context) =>
        handler.StageAsync(Db, context.Message, context.MessageId, context.CancellationToken);
}

/// <summary>Endpoint policy of <see cref="CaseRestrictedConsumer"/>: the platform's, set per endpoint.</summary>
public sealed class CaseRestrictedConsumerDefinition : ConsumerDefinition<CaseRestrictedConsumer>;

/// <summary>A case opened: the person is under supervision, and the designation that asked for it is answered.</summary>
public sealed class SupervisionOpenedConsumer(GatewayDbContext db, SupervisionOpenedHandler handler)
    : IdempotentConsumer<SupervisionOpened, GatewayDbContext>(db)
{
    protected override bool ReadsAndWritesInOneTransaction => true;

    protected override Task Handle(ConsumeContext<SupervisionOpened> context) =>
        handler.StageAsync(Db, context.Message, context.MessageId, context.CancellationToken);
}

/// <summary>Endpoint policy of <see cref="SupervisionOpenedConsumer"/>: the platform's, set per endpoint.</summary>
public sealed class SupervisionOpenedConsumerDefinition : ConsumerDefinition<SupervisionOpenedConsumer>;

/// <summary>An ended case is followed by no one; the person may be designated again.</summary>
public sealed class SupervisionEndedConsumer(GatewayDbContext db, SupervisionEndedHandler handler)
    : IdempotentConsumer<SupervisionEnded, GatewayDbContext>(db)
{
    protected override bool ReadsAndWritesInOneTransaction => true;

    protected override Task Handle(ConsumeContext<SupervisionEnded> context) =>
        handler.StageAsync(Db, context.Message, context.MessageId, context.CancellationToken);
}

/// <summary>Endpoint policy of <see cref="SupervisionEndedConsumer"/>: the platform's, set per endpoint.</summary>
public sealed class SupervisionEndedConsumerDefinition : ConsumerDefinition<SupervisionEndedConsumer>;

/// <summary>Retention elapsed (F4): the case's traces go, and the person's with its last case.</summary>
public sealed class SupervisionPurgedConsumer(GatewayDbContext db, SupervisionPurgedHandler handler)
    : IdempotentConsumer<SupervisionPurged, GatewayDbContext>(db)
{
    private SupervisionPurgedHandler.Forgotten? _forgotten;

    protected override bool ReadsAndWritesInOneTransaction => true;

    protected override async Task Handle(ConsumeContext<SupervisionPurged> context) =>
        _forgotten = await handler.StageAsync(Db, context.Message, context.CancellationToken);

    protected override Task CommitAsync(CancellationToken cancellationToken) => handler.CommitAsync(Db, _forgotten, cancellationToken);
}

/// <summary>Endpoint policy of <see cref="SupervisionPurgedConsumer"/>: the platform's, set per endpoint.</summary>
public sealed class SupervisionPurgedConsumerDefinition : ConsumerDefinition<SupervisionPurgedConsumer>;

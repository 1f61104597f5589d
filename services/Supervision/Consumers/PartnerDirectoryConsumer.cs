using Coordination.Contracts.Gateway;
using Coordination.ServiceDefaults.Outbox;
using Coordination.Supervision.Application;
using Coordination.Supervision.Persistence;
using MassTransit;

namespace Coordination.Supervision.Consumers;

/// <summary>Supervision's copy of the partners follows the gateway's directory (<see cref="PartnerDirectoryChangedHandler"/>).</summary>
public sealed class PartnerDirectoryChangedConsumer(SupervisionDbContext db, PartnerDirectoryChangedHandler handler)
    : IdempotentConsumer<PartnerDirectoryChanged, SupervisionDbContext>(db)
{
    protected override Task Handle(ConsumeContext<PartnerDirectoryChanged> context) =>
        handler.HandleAsync(Db, context.Message, context.CancellationToken);
}

/// <summary>
/// Nothing of its own: changes may arrive in any order (a late one is recognised by its date), so
/// the platform's queue, retries and error queue (<c>AddCoordinationConsumers</c>) are what it needs.
/// </summary>
public sealed class PartnerDirectoryChangedConsumerDefinition : ConsumerDefinition<PartnerDirectoryChangedConsumer>;

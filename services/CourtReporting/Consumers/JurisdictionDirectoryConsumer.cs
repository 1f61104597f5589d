using Coordination.Contracts.Gateway;
using Coordination.CourtReporting.Application;
using Coordination.CourtReporting.Persistence;
using Coordination.ServiceDefaults.Outbox;
using MassTransit;

namespace Coordination.CourtReporting.Consumers;

/// <summary>The gateway's directory registered or retired a jurisdiction (<see cref="JurisdictionDirectoryChangedHandler"/>).</summary>
public sealed class JurisdictionDirectoryChangedConsumer(CourtReportingDbContext db, JurisdictionDirectoryChangedHandler handler)
    : IdempotentConsumer<JurisdictionDirectoryChanged, CourtReportingDbContext>(db)
{
    protected override Task Handle(ConsumeContext<JurisdictionDirectoryChanged> context) =>
        handler.HandleAsync(Db, context.Message, context.CancellationToken);
}

/// <summary>Nothing of its own: the platform's queue, retries and error queue (<c>AddCoordinationConsumers</c>) serve it.</summary>
public sealed class JurisdictionDirectoryChangedConsumerDefinition : ConsumerDefinition<JurisdictionDirectoryChangedConsumer>;

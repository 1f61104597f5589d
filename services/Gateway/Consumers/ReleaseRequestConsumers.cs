using Coordination.Contracts.Gateway;
using Coordination.Gateway.Application;
using Coordination.Gateway.Persistence;
using Coordination.ServiceDefaults.Messaging;
using Coordination.ServiceDefaults.Outbox;
using MassTransit;

namespace Coordination.Gateway.Consumers;

/// <summary>
/// The only door out: a service asks for confidential data to be delivered, on its own lane, and the
/// gateway decides per recipient (<see cref="ReleaseRequestHandler"/>) under the requester the lane proves.
/// </summary>
public abstract class ReleaseRequestConsumer(GatewayDbContext db, ReleaseRequestHandler handler)
    : IdempotentConsumer<ReleaseConfidentialPayload, GatewayDbContext>(db)
{
    /// <summary>The service whose lane this is: the broker lets only its account write there.</summary>
    protected abstract string Requester { get; }

    /// <summary>The audit log and the delivery write through the consumer's own context, under the audit's own commit: alone.</summary>
    protected override bool CommitsInGroup => false;

    protected override Task Handle(ConsumeContext<ReleaseConfidentialPayload> context) => handler.StageAsync(Db, Requester, context);

    protected override Task CommitAsync(CancellationToken cancellationToken) => handler.CommitAsync(cancellationToken);
}

/// <summary>Supervision's lane (3°): case information to the partners assigned to the case.</summary>
public sealed class ReleaseFromSupervisionConsumer(GatewayDbContext db, ReleaseRequestHandler handler)
    : ReleaseRequestConsumer(db, handler),
        IReleaseLane
{
    public static string Lane => ReleaseLanes.Supervision;
    protected override string Requester => Lane;
}

/// <summary>CourtReporting's lane (4°): court reports to the JAP and SPIP of their jurisdiction.</summary>
public sealed class ReleaseFromCourtReportingConsumer(GatewayDbContext db, ReleaseRequestHandler handler)
    : ReleaseRequestConsumer(db, handler),
        IReleaseLane
{
    public static string Lane => ReleaseLanes.CourtReporting;
    protected override string Requester => Lane;
}

/// <summary>Opinions' lane (2°): adopted opinions to the territory's prosecutor's office.</summary>
public sealed class ReleaseFromOpinionsConsumer(GatewayDbContext db, ReleaseRequestHandler handler)
    : ReleaseRequestConsumer(db, handler),
        IReleaseLane
{
    public static string Lane => ReleaseLanes.Opinions;
    protected override string Requester => Lane;
}

/// <summary>
/// A lane is bound to nothing but its own exchange: not to the <see cref="ReleaseConfidentialPayload"/>
/// type's exchange, which any service allowed to publish the type could write. Its queue is named
/// by <see cref="ReleaseLanes.QueueOf"/>, the address the requesting service sends to.
/// </summary>
public sealed class ReleaseLaneDefinition<TConsumer> : ConsumerDefinition<TConsumer>
    where TConsumer : ReleaseRequestConsumer, IReleaseLane
{
    public ReleaseLaneDefinition(IServiceProvider services)
    {
        EndpointName = ReleaseLanes.QueueOf(TConsumer.Lane, services.GetService<MessagingOptions>()?.QueuePrefix ?? "");
        Endpoint(e => e.ConfigureConsumeTopology = false);
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<TConsumer> consumerConfigurator,
        IRegistrationContext context
    ) =>
        consumerConfigurator.UseMessageRetry(r =>
        {
            r.Handle<DecisionDeferredException>();
            r.Intervals(ReleaseRequestHandler.Deferrals);
        });
}

/// <summary>A release lane's consumer, named by the requesting service the lane belongs to.</summary>
public interface IReleaseLane
{
    static abstract string Lane { get; }
}

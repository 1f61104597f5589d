using Coordination.Contracts.Gateway;
using Coordination.Contracts.Opinions;
using Coordination.Opinions.Application;
using Coordination.Opinions.Persistence;
using Coordination.ServiceDefaults.Outbox;
using MassTransit;

namespace Coordination.Opinions.Consumers;

// The handlers stage their effect on Db, the unit of work the idempotent base commits with the inbox entry
// (the group writer's context while it runs the unit): never on a context of their own.
//
// Retry, error queues, prefetch and queue names are set for every endpoint by the platform (AddCoordinationConsumers
// and its endpoint name formatter); the definitions repeat none of it. None sets a concurrency limit of its own:
// the endpoint's prefetch bounds what is in flight.

/// <summary>The prosecutor's request, forwarded by the gateway (or a platform service), opens a review.</summary>
public sealed class RequestArt41ReviewConsumer(OpinionsDbContext db, RequestArt41ReviewHandler handler)
    : IdempotentConsumer<RequestArt41Review, OpinionsDbContext>(db)
{
    protected override Task Handle(ConsumeContext<RequestArt41Review> context) =>
        handler.StageAsync(Db, context.Message, context.Message.RequestedBy ?? "unnamed", context, context.CancellationToken);
}

/// <summary>Endpoint policy of <see cref="RequestArt41ReviewConsumer"/>: the platform's, set per endpoint.</summary>
public sealed class RequestArt41ReviewConsumerDefinition : ConsumerDefinition<RequestArt41ReviewConsumer>;

/// <summary>Aggregate implementation figures for a review; the latest replace the earlier until adoption.</summary>
public sealed class SubmitImplementationIndicatorsConsumer(OpinionsDbContext db, SubmitImplementationIndicatorsHandler handler)
    : IdempotentConsumer<SubmitImplementationIndicators, OpinionsDbContext>(db)
{
    protected override Task Handle(ConsumeContext<SubmitImplementationIndicators> context) =>
        handler.StageAsync(Db, context.Message, context.CancellationToken);
}

/// <summary>Endpoint policy of <see cref="SubmitImplementationIndicatorsConsumer"/>: the platform's, set per endpoint.</summary>
public sealed class SubmitImplementationIndicatorsConsumerDefinition : ConsumerDefinition<SubmitImplementationIndicatorsConsumer>;

/// <summary>A partner's contribution joins the review until the opinion is adopted.</summary>
public sealed class ContributeToReviewConsumer(OpinionsDbContext db, ContributeToReviewHandler handler)
    : IdempotentConsumer<ContributeToReview, OpinionsDbContext>(db)
{
    // The base class has already refused a message without an id.
    protected override Task Handle(ConsumeContext<ContributeToReview> context) =>
        handler.StageAsync(Db, context.Message, context.MessageId!.Value, context.CancellationToken);
}

/// <summary>Endpoint policy of <see cref="ContributeToReviewConsumer"/>: the platform's, set per endpoint.</summary>
public sealed class ContributeToReviewConsumerDefinition : ConsumerDefinition<ContributeToReviewConsumer>;

/// <summary>The gateway refused to release an opinion: the review shows why and can be sent again.</summary>
public sealed class ConfidentialPayloadDeniedConsumer(OpinionsDbContext db, ConfidentialPayloadDeniedHandler handler)
    : IdempotentConsumer<ConfidentialPayloadDenied, OpinionsDbContext>(db)
{
    protected override Task Handle(ConsumeContext<ConfidentialPayloadDenied> context) =>
        handler.StageAsync(Db, context.Message, context.CancellationToken);
}

/// <summary>Endpoint policy of <see cref="ConfidentialPayloadDeniedConsumer"/>: the platform's, set per endpoint.</summary>
public sealed class ConfidentialPayloadDeniedConsumerDefinition : ConsumerDefinition<ConfidentialPayloadDeniedConsumer>;

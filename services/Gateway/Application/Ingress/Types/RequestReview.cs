using System.Text.Json;
using Coordination.Contracts.Gateway;
using Coordination.Contracts.Opinions;
using Coordination.Contracts.Values;
using Coordination.Gateway.Application;
using Coordination.Gateway.Application.Ingress;
using Coordination.Gateway.Domain;
using Coordination.Gateway.Persistence;
using Coordination.ServiceDefaults.Security;

namespace Coordination.Gateway.Application.Ingress.Types;

/// <summary>2°: the prosecutor's office asks the bodies' opinion on how one art. 41-1 measure kind was implemented.</summary>
public sealed class RequestReview(GatewayDbContext db) : IngressType
{
    public override string Name => IngressTypeNames.RequestReview;

    public override IReadOnlySet<PrincipalRole> Senders => IngressSenders.ProsecutorsOffice;

    public override Task<Forwarded> ForwardAsync(IngressMessage message, CancellationToken cancellationToken)
    {
        // The review is known by the prosecutor's own message id: the opinion sent back names it.
        var review = message.Payload.Deserialize<ReviewRequestPayload>(Json)!;
        db.PublishOnCommit(
            new RequestArt41Review
            {
                ReviewId = message.MessageId,
                Territory = message.Territory,
                Measure = review.Measure,
                PeriodStart = review.PeriodStart,
                PeriodEnd = review.PeriodEnd,
                RespondBy = review.RespondBy,
                RequestedBy = message.Source.Agency,
            },
            correlationId: message.MessageId
        );
        return Task.FromResult(new Forwarded(IngressRecipients.Opinions, [$"review:{message.MessageId}"]));
    }

    private sealed record ReviewRequestPayload(Art41MeasureKind Measure, DateOnly PeriodStart, DateOnly PeriodEnd, DateOnly RespondBy);
}

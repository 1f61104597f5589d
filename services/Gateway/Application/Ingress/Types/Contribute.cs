using System.Text.Json;
using Coordination.Contracts.Gateway;
using Coordination.Contracts.Opinions;
using Coordination.Contracts.Values;
using Coordination.Gateway.Application;
using Coordination.Gateway.Application.Ingress;
using Coordination.Gateway.Domain;
using Coordination.Gateway.Persistence;
using Coordination.ServiceDefaults.Sealing;
using Coordination.ServiceDefaults.Security;
using MassTransit;

namespace Coordination.Gateway.Application.Ingress.Types;

/// <summary>2°: the partners who carry out the measures say how it goes; the JAP and SPIP are not consulted on 2°.</summary>
public sealed class Contribute(GatewayDbContext db, SealingKeyStore keys) : IngressType
{
    public override string Name => IngressTypeNames.Contribute;

    public override IReadOnlySet<PrincipalRole> Senders => IngressSenders.Partners;

    public override Task<Forwarded> ForwardAsync(IngressMessage message, CancellationToken cancellationToken)
    {
        // Free text is confidential (F5): sealed for the Opinions service alone.
        var contribution = message.Payload.Deserialize<ContributionPayload>(Json)!;
        var contributionId = NewId.NextGuid();
        db.PublishOnCommit(
            new ContributeToReview
            {
                ReviewId = contribution.ReviewId,
                Territory = message.Territory,
                Partner = PartnerId.Parse(message.Source.Agency),
                Contribution = PayloadSealer.SealJson(
                    contribution.Contribution,
                    keys.CurrentKeyOf(IngressRecipients.Opinions),
                    IngressRecipients.OpinionsPurpose,
                    contributionId
                ),
            },
            messageId: contributionId,
            correlationId: message.MessageId
        );
        return Task.FromResult(new Forwarded(IngressRecipients.Opinions, [$"review:{contribution.ReviewId}"]));
    }

    private sealed record ContributionPayload(Guid ReviewId, string Contribution);
}

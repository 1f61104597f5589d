using System.Text.Json;
using Coordination.Contracts.Gateway;
using Coordination.Contracts.Opinions;
using Coordination.Gateway.Application;
using Coordination.Gateway.Application.Ingress;
using Coordination.Gateway.Domain;
using Coordination.Gateway.Persistence;
using Coordination.ServiceDefaults.Security;

namespace Coordination.Gateway.Application.Ingress.Types;

/// <summary>2°: the prosecutor's office gives the aggregate figures a review rests on (no personal data is needed for it, R2).</summary>
public sealed class SubmitIndicators(GatewayDbContext db) : IngressType
{
    public override string Name => IngressTypeNames.SubmitIndicators;

    public override IReadOnlySet<PrincipalRole> Senders => IngressSenders.ProsecutorsOffice;

    public override Task<Forwarded> ForwardAsync(IngressMessage message, CancellationToken cancellationToken)
    {
        var figures = message.Payload.Deserialize<IndicatorsPayload>(Json)!;
        db.PublishOnCommit(
            new SubmitImplementationIndicators
            {
                ReviewId = figures.ReviewId,
                Territory = message.Territory,
                MeasuresOrdered = figures.MeasuresOrdered,
                MeasuresCarriedOut = figures.MeasuresCarriedOut,
                MedianDelayDays = figures.MedianDelayDays,
                StructureCapacity = figures.StructureCapacity,
            },
            correlationId: message.MessageId
        );
        return Task.FromResult(new Forwarded(IngressRecipients.Opinions, [$"review:{figures.ReviewId}"]));
    }

    private sealed record IndicatorsPayload(
        Guid ReviewId,
        int MeasuresOrdered,
        int MeasuresCarriedOut,
        int MedianDelayDays,
        int StructureCapacity
    );
}

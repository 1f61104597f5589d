using System.Diagnostics;
using Coordination.Contracts.Gateway;
using Coordination.Opinions.Domain;
using Coordination.Opinions.Persistence;
using Coordination.ServiceDefaults.Sealing;
using Coordination.ServiceDefaults.Telemetry;
using MassTransit;

namespace Coordination.Opinions.Application;

/// <summary>
/// Adoption and transmission in one commit: the opinion goes to the prosecutor's office through the
/// gateway only, sealed for the gateway, which decides under the sharing rules and audits the release.
/// </summary>
public static class OpinionTransmission
{
    public const string Purpose = Purposes.Art41Opinion;

    public static void AdoptAndTransmit(
        OpinionsDbContext db,
        Art41Review review,
        SealingKeyStore keys,
        OpinionsOptions options,
        DateTimeOffset now
    )
    {
        var adopted = review.Adopt(now);
        db.PublishOnCommit(adopted, correlationId: review.Id);
        Transmit(db, review, keys, options, now);
    }

    /// <summary>Hands the adopted opinion to the gateway: at adoption, or again after the gateway refused it.</summary>
    public static void Transmit(OpinionsDbContext db, Art41Review review, SealingKeyStore keys, OpinionsOptions options, DateTimeOffset now)
    {
        var recipient = options.ProsecutorOf(review.Territory);
        var releaseId = NewId.NextGuid();
        var transmitted = review.Transmit(releaseId, recipient, now);

        // The answer continues the request's trace: the prosecutor's message, the review it opened and
        // the release back read as one story. The operator's own call is linked, not lost.
        ActivityContext.TryParse(review.TraceParent, null, out var request);
        using var activity = CoordinationTelemetry.Source.StartActivity(
            "opinions transmit opinion",
            ActivityKind.Internal,
            request,
            links: Activity.Current is { } caller ? [new ActivityLink(caller.Context)] : null
        );
        activity?.SetTag("coordination.review.id", review.Id.ToString());
        activity?.SetTag("coordination.release.id", releaseId.ToString());

        // The gateway opens the payload bound to the message id it arrives under.
        var messageId = NewId.NextGuid();
        db.PublishOnCommit(
            new ReleaseConfidentialPayload
            {
                ReleaseId = releaseId,
                Territory = review.Territory,
                Purpose = Purpose,
                Categories = [DataCategory.Art41Opinion],
                Recipients = [recipient],
                Payload = PayloadSealer.SealJson(
                    new Dictionary<string, object> { [Purpose] = review.TransmittedDocument() },
                    keys.CurrentKeyOf(KeyOwners.Gateway),
                    Purpose,
                    messageId
                ),
            },
            messageId: messageId,
            correlationId: review.Id
        );
        db.PublishOnCommit(transmitted, correlationId: review.Id);
    }
}

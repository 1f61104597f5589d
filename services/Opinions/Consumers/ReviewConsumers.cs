using System.Diagnostics;
using Coordination.Contracts.Opinions;
using Coordination.Opinions.Domain;
using Coordination.Opinions.Persistence;
using Coordination.ServiceDefaults.Messaging;
using Coordination.ServiceDefaults.Outbox;
using Coordination.ServiceDefaults.Sealing;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Coordination.Opinions.Consumers;

/// <summary>The prosecutor's request, forwarded by the gateway (or a platform service), opens a review.</summary>
public sealed class RequestArt41ReviewConsumer(OpinionsDbContext db, TimeProvider clock)
    : IdempotentConsumer<RequestArt41Review, OpinionsDbContext>(db)
{
    protected override async Task Handle(ConsumeContext<RequestArt41Review> context)
    {
        var review = await ReviewOpening.OpenAsync(Db, context.Message, context.Message.RequestedBy ?? "unnamed", clock.GetUtcNow(), context.CancellationToken);
        Db.PublishOnCommit(review.Opened(), context);
    }
}

/// <summary>Aggregate implementation figures for a review; the latest replace the earlier until adoption.</summary>
public sealed class SubmitImplementationIndicatorsConsumer(OpinionsDbContext db, TimeProvider clock)
    : IdempotentConsumer<SubmitImplementationIndicators, OpinionsDbContext>(db)
{
    protected override async Task Handle(ConsumeContext<SubmitImplementationIndicators> context)
    {
        var m = context.Message;
        var review = await ReviewOpening.FindAsync(Db, m.ReviewId, m.Territory, context.CancellationToken);
        Rejecting(() => review.RecordIndicators(m.MeasuresOrdered, m.MeasuresCarriedOut, m.MedianDelayDays, m.StructureCapacity, clock.GetUtcNow()));
    }

    internal static void Rejecting(Action change)
    {
        try { change(); }
        catch (ReviewRuleException e) { throw new MessageRejectedException(e.ReasonCode, $"{e.Field}: {e.Reason}"); }
    }
}

/// <summary>A partner's contribution joins the review until the opinion is adopted.</summary>
public sealed class ContributeToReviewConsumer(OpinionsDbContext db, SealingKeyStore keys, TimeProvider clock)
    : IdempotentConsumer<ContributeToReview, OpinionsDbContext>(db)
{
    public const string KeyOwner = "opinions";
    public const string Purpose = "art41-opinion";

    protected override async Task Handle(ConsumeContext<ContributeToReview> context)
    {
        var m = context.Message;
        string text;
        try
        {
            using var ring = keys.RingFor(KeyOwner);
            text = PayloadSealer.OpenJson<string>(m.Contribution, ring, Purpose, context.MessageId!.Value);
        }
        catch (SealingException e)
        {
            throw new MessageRejectedException(e.ReasonCode, "the contribution cannot be opened by this service.");
        }
        var review = await ReviewOpening.FindAsync(Db, m.ReviewId, m.Territory, context.CancellationToken);
        SubmitImplementationIndicatorsConsumer.Rejecting(() => review.Contribute(m.Partner, text, NewId.NextGuid(), clock.GetUtcNow()));
    }
}

/// <summary>
/// The gateway refused to release an opinion: the review shows why and can be sent again. Denials of
/// other services' releases name no review and change nothing.
/// </summary>
public sealed class ConfidentialPayloadDeniedConsumer(OpinionsDbContext db) : IdempotentConsumer<Contracts.Gateway.ConfidentialPayloadDenied, OpinionsDbContext>(db)
{
    protected override async Task Handle(ConsumeContext<Contracts.Gateway.ConfidentialPayloadDenied> context)
    {
        var denied = context.Message;
        var review = await Db.Reviews.SingleOrDefaultAsync(r => r.ReleaseId == denied.ReleaseId, context.CancellationToken);
        if (review is not null && review.TransmissionDenied(denied.ReleaseId, denied.ReasonCode)) review.Touch();
    }
}

/// <summary>What opening and finding a review mean for every door (bus and HTTP) alike.</summary>
public static class ReviewOpening
{
    /// <summary>Opens the review and its respond-by deadline, staged on <paramref name="db"/>; a broken rule is a rejection.</summary>
    public static async Task<Art41Review> OpenAsync(OpinionsDbContext db, RequestArt41Review request, string openedBy, DateTimeOffset now, CancellationToken cancellationToken)
    {
        Art41Review review;
        try { review = Art41Review.Open(request, openedBy, now, Activity.Current?.Id); }
        catch (ReviewRuleException e) { throw new MessageRejectedException(e.ReasonCode, $"{e.Field}: {e.Reason}"); }

        // One review at a time per measure kind, territory and period: a second request joins the first, it does not start another.
        if (await db.Reviews.AnyAsync(r => r.Id == request.ReviewId
                || (r.Territory == request.Territory && r.Measure == request.Measure && r.PeriodStart == request.PeriodStart && r.PeriodEnd == request.PeriodEnd
                    && r.Status != ReviewStatus.Adopted && r.Status != ReviewStatus.Transmitted), cancellationToken))
            throw new MessageRejectedException(ReviewReasons.ReviewConflict, "a review of this measure kind, territory and period is already under way.");
        db.Reviews.Add(review);
        db.Deadlines.Add(OpinionDeadline.For(review));
        return review;
    }

    /// <summary>A review of another territory is answered exactly as one that does not exist.</summary>
    /// <remarks>
    /// Not found is retried, not rejected: figures or a contribution sent right after the request travel on
    /// other queues and may come first. A review that never comes ends in the error queue after the retries.
    /// </remarks>
    public static async Task<Art41Review> FindAsync(OpinionsDbContext db, Guid reviewId, Contracts.Values.TerritoryCode territory, CancellationToken cancellationToken)
    {
        var review = await db.Reviews.Include(r => r.Contributions).SingleOrDefaultAsync(r => r.Id == reviewId && r.Territory == territory, cancellationToken)
            ?? throw new InvalidOperationException($"{ReviewReasons.UnknownReview}: no review under this id in this territory (yet).");
        review.Touch();
        return review;
    }
}

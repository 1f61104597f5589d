using System.Diagnostics;
using Coordination.Contracts.Opinions;
using Coordination.Opinions.Domain;
using Coordination.Opinions.Persistence;
using Coordination.ServiceDefaults.Rules;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Coordination.Opinions.Application;

/// <summary>Opens a review and its respond-by deadline: on the prosecutor's request over the bus, or by an operator.</summary>
public sealed class RequestArt41ReviewHandler(OpinionsDbContext db, TimeProvider clock)
{
    /// <summary>The operators' door: opened, announced and committed here.</summary>
    public async Task<Art41Review> OpenAsync(RequestArt41Review request, string openedBy, CancellationToken cancellationToken)
    {
        var review = await StageAsync(db, request, openedBy, cause: null, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return review;
    }

    /// <summary>
    /// Staged on <paramref name="unitOfWork"/> with its announcement, not saved: over the bus the consumer's unit of work
    /// commits it together with the inbox entry.
    /// </summary>
    public async Task<Art41Review> StageAsync(
        OpinionsDbContext unitOfWork,
        RequestArt41Review request,
        string openedBy,
        ConsumeContext? cause,
        CancellationToken cancellationToken
    )
    {
        var review = Art41Review.Open(request, openedBy, clock.GetUtcNow(), Activity.Current?.Id);

        // One review at a time per measure kind, territory and period: a second request joins the first, it does not start another.
        if (
            await unitOfWork.Reviews.AnyAsync(
                r =>
                    r.Id == request.ReviewId
                    || (
                        r.Territory == request.Territory
                        && r.Measure == request.Measure
                        && r.PeriodStart == request.PeriodStart
                        && r.PeriodEnd == request.PeriodEnd
                        && r.Status != ReviewStatus.Adopted
                        && r.Status != ReviewStatus.Transmitted
                    ),
                cancellationToken
            )
        )
            throw RuleViolation.Conflict(
                ReviewReasons.ReviewConflict,
                "a review of this measure kind, territory and period is already under way."
            );
        unitOfWork.Reviews.Add(review);
        unitOfWork.Deadlines.Add(OpinionDeadline.For(review));
        unitOfWork.PublishOnCommit(review.Opened(), cause);
        return review;
    }
}

using Coordination.Contracts.Values;
using Coordination.Opinions.Domain;
using Coordination.Opinions.Persistence;
using Coordination.ServiceDefaults.Rules;
using Microsoft.EntityFrameworkCore;

namespace Coordination.Opinions.Application;

/// <summary>Finding a review to change it, for the bus and for the operators alike.</summary>
internal static class ReviewLookup
{
    /// <summary>A review of another territory is answered exactly as one that does not exist.</summary>
    /// <remarks>
    /// Not found is retried, not rejected: figures or a contribution sent right after the request travel on
    /// other queues and may come first. A review that never comes ends in the error queue after the retries.
    /// </remarks>
    public static async Task<Art41Review> FindForMessageAsync(
        OpinionsDbContext db,
        Guid reviewId,
        TerritoryCode territory,
        CancellationToken cancellationToken
    )
    {
        var review =
            await db
                .Reviews.Include(r => r.Contributions)
                .SingleOrDefaultAsync(r => r.Id == reviewId && r.Territory == territory, cancellationToken)
            ?? throw new InvalidOperationException($"{ReviewReasons.UnknownReview}: no review under this id in this territory (yet).");
        review.Touch();
        return review;
    }

    /// <summary>
    /// One change by an operator to one review of the territories they act for, committed with what it publishes;
    /// <c>null</c> when there is no such review for them (missing and elsewhere answer alike).
    /// </summary>
    public static async Task<Art41Review?> ChangeAsync(
        OpinionsDbContext db,
        Guid id,
        Func<TerritoryCode, bool> actsFor,
        Action<Art41Review> change,
        CancellationToken cancellationToken
    )
    {
        var review = await db.Reviews.Include(r => r.Contributions).SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (review is null || !actsFor(review.Territory))
            return null;
        change(review);
        review.Touch();
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw RuleViolation.Conflict(
                ReviewReasons.ReviewChanged,
                "The review changed at the same moment (another operator, a message, the deadline); read it again."
            );
        }
        return review;
    }
}

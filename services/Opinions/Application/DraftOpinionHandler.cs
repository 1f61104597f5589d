using Coordination.Contracts.Opinions;
using Coordination.Contracts.Values;
using Coordination.Opinions.Domain;
using Coordination.Opinions.Persistence;

namespace Coordination.Opinions.Application;

/// <summary>Writes, or rewrites, the draft opinion of a review, for its territory's operators.</summary>
public sealed class DraftOpinionHandler(OpinionsDbContext db, TimeProvider clock)
{
    /// <summary><c>null</c> when there is no such review for the caller.</summary>
    public Task<Art41Review?> DraftAsync(
        Guid reviewId,
        Func<TerritoryCode, bool> actsFor,
        OpinionVerdict verdict,
        IReadOnlyCollection<OpinionRecommendation> recommendations,
        string? text,
        CancellationToken cancellationToken
    ) =>
        ReviewLookup.ChangeAsync(
            db,
            reviewId,
            actsFor,
            review => review.Draft(verdict, recommendations, text, clock.GetUtcNow()),
            cancellationToken
        );
}

using Coordination.Contracts.Opinions;
using Coordination.Contracts.Values;
using Coordination.Opinions.Domain;
using Coordination.Opinions.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Coordination.Opinions.Application;

/// <summary>What the operators read: reviews as they stand, untracked.</summary>
public sealed class ReviewQueries(OpinionsDbContext db)
{
    public Task<Art41Review?> FindAsync(Guid reviewId, CancellationToken cancellationToken) =>
        db.Reviews.AsNoTracking().Include(r => r.Contributions).SingleOrDefaultAsync(r => r.Id == reviewId, cancellationToken);

    /// <summary>The reviews of <paramref name="territories"/>, newest first; only adopted opinions (transmitted or not) if asked.</summary>
    public async Task<IReadOnlyList<Art41Review>> ListAsync(
        IReadOnlyCollection<TerritoryCode> territories,
        Art41MeasureKind? measure,
        bool adoptedOnly,
        CancellationToken cancellationToken
    )
    {
        var query = db.Reviews.AsNoTracking().Include(r => r.Contributions).Where(r => territories.Contains(r.Territory));
        if (measure is { } kind)
            query = query.Where(r => r.Measure == kind);
        if (adoptedOnly)
            query = query.Where(r => r.Status == ReviewStatus.Adopted || r.Status == ReviewStatus.Transmitted);
        var list = await query.ToListAsync(cancellationToken);
        return list.OrderByDescending(r => r.OpenedAt).ToList();
    }
}

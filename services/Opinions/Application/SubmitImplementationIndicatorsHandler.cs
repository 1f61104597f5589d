using Coordination.Contracts.Opinions;
using Coordination.Contracts.Values;
using Coordination.Opinions.Domain;
using Coordination.Opinions.Persistence;

namespace Coordination.Opinions.Application;

/// <summary>Aggregate implementation figures for a review; the latest replace the earlier until adoption.</summary>
public sealed class SubmitImplementationIndicatorsHandler(OpinionsDbContext db, TimeProvider clock)
{
    /// <summary>Over the bus: staged on the consumer's unit of work, which commits it with the inbox entry.</summary>
    public async Task StageAsync(OpinionsDbContext unitOfWork, SubmitImplementationIndicators m, CancellationToken cancellationToken)
    {
        var review = await ReviewLookup.FindForMessageAsync(unitOfWork, m.ReviewId, m.Territory, cancellationToken);
        review.RecordIndicators(m.MeasuresOrdered, m.MeasuresCarriedOut, m.MedianDelayDays, m.StructureCapacity, clock.GetUtcNow());
    }

    /// <summary>By an operator of the review's territory; <c>null</c> when there is no such review for them.</summary>
    public Task<Art41Review?> RecordAsync(
        Guid reviewId,
        Func<TerritoryCode, bool> actsFor,
        int ordered,
        int carriedOut,
        int medianDelayDays,
        int structureCapacity,
        CancellationToken cancellationToken
    ) =>
        ReviewLookup.ChangeAsync(
            db,
            reviewId,
            actsFor,
            review => review.RecordIndicators(ordered, carriedOut, medianDelayDays, structureCapacity, clock.GetUtcNow()),
            cancellationToken
        );
}

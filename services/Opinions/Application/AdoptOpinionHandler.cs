using Coordination.Contracts.Values;
using Coordination.Opinions.Domain;
using Coordination.Opinions.Persistence;
using Coordination.ServiceDefaults.Sealing;
using Microsoft.Extensions.Options;

namespace Coordination.Opinions.Application;

/// <summary>The bodies adopt the draft, and so transmit it, in one commit.</summary>
public sealed class AdoptOpinionHandler(OpinionsDbContext db, SealingKeyStore keys, IOptions<OpinionsOptions> options, TimeProvider clock)
{
    /// <summary><c>null</c> when there is no such review for the caller.</summary>
    public Task<Art41Review?> AdoptAsync(Guid reviewId, Func<TerritoryCode, bool> actsFor, CancellationToken cancellationToken) =>
        ReviewLookup.ChangeAsync(
            db,
            reviewId,
            actsFor,
            review => OpinionTransmission.AdoptAndTransmit(db, review, keys, options.Value, clock.GetUtcNow()),
            cancellationToken
        );
}

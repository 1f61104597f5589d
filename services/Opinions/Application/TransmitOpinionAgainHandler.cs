using Coordination.Contracts.Values;
using Coordination.Opinions.Domain;
using Coordination.Opinions.Persistence;
using Coordination.ServiceDefaults.Sealing;
using Microsoft.Extensions.Options;

namespace Coordination.Opinions.Application;

/// <summary>Sends an adopted opinion the gateway refused once more (after the rules are fixed, say); its content does not change.</summary>
public sealed class TransmitOpinionAgainHandler(
    OpinionsDbContext db,
    SealingKeyStore keys,
    IOptions<OpinionsOptions> options,
    TimeProvider clock
)
{
    /// <summary><c>null</c> when there is no such review for the caller.</summary>
    public Task<Art41Review?> TransmitAgainAsync(Guid reviewId, Func<TerritoryCode, bool> actsFor, CancellationToken cancellationToken) =>
        ReviewLookup.ChangeAsync(
            db,
            reviewId,
            actsFor,
            review => OpinionTransmission.Transmit(db, review, keys, options.Value, clock.GetUtcNow()),
            cancellationToken
        );
}

using Coordination.Contracts.Gateway;
using Coordination.Opinions.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Coordination.Opinions.Application;

/// <summary>
/// The gateway refused to release an opinion: the review shows why and can be sent again. Denials of
/// other services' releases name no review and change nothing.
/// </summary>
public sealed class ConfidentialPayloadDeniedHandler
{
    /// <summary>Staged on the consumer's unit of work, which commits it with the inbox entry.</summary>
    public async Task StageAsync(OpinionsDbContext unitOfWork, ConfidentialPayloadDenied denied, CancellationToken cancellationToken)
    {
        var review = await unitOfWork.Reviews.SingleOrDefaultAsync(r => r.ReleaseId == denied.ReleaseId, cancellationToken);
        if (review is not null && review.TransmissionDenied(denied.ReleaseId, denied.ReasonCode))
            review.Touch();
    }
}

using Coordination.Contracts.Opinions;
using Coordination.Opinions.Persistence;
using Coordination.ServiceDefaults.Rules;
using Coordination.ServiceDefaults.Sealing;
using MassTransit;

namespace Coordination.Opinions.Application;

/// <summary>A partner's contribution, sealed for this service, joins the review until the opinion is adopted.</summary>
public sealed class ContributeToReviewHandler(SealingKeyStore keys, TimeProvider clock)
{
    public const string KeyOwner = "opinions";
    public const string Purpose = "art41-opinion";

    /// <summary>Staged on the consumer's unit of work; <paramref name="messageId"/> is the one the payload was sealed under.</summary>
    public async Task StageAsync(OpinionsDbContext unitOfWork, ContributeToReview m, Guid messageId, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            using var ring = keys.RingFor(KeyOwner);
            text = PayloadSealer.OpenJson<string>(m.Contribution, ring, Purpose, messageId);
        }
        catch (SealingException e)
        {
            throw new RuleViolation(e.ReasonCode, "contribution", "the contribution cannot be opened by this service.");
        }
        var review = await ReviewLookup.FindForMessageAsync(unitOfWork, m.ReviewId, m.Territory, cancellationToken);
        review.Contribute(m.Partner, text, NewId.NextGuid(), clock.GetUtcNow());
    }
}

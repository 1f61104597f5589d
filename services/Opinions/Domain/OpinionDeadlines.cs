namespace Coordination.Opinions.Domain;

public enum DeadlineOutcome
{
    Raised = 1,
    AlreadyAdopted = 2,
}

/// <summary>
/// The respond-by date of a review as a durable alarm: a row written with the review, so that a
/// restart or a week of downtime loses no <c>OpinionOverdue</c> (ADR 2: no broker delays here).
/// </summary>
public sealed class OpinionDeadline
{
    public long Id { get; private init; }
    public Guid ReviewId { get; private init; }
    public DateTimeOffset FiresAt { get; private init; }
    public DateTimeOffset? FiredAt { get; private set; }
    public DeadlineOutcome? Outcome { get; private set; }

    private OpinionDeadline() { }

    public static OpinionDeadline For(Art41Review review) => new() { ReviewId = review.Id, FiresAt = review.DueAt };

    public void Fired(DeadlineOutcome outcome, DateTimeOffset now) => (Outcome, FiredAt) = (outcome, now);
}

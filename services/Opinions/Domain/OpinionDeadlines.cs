using Coordination.ServiceDefaults.Hosting;
using Coordination.Opinions.Persistence;
using Coordination.ServiceDefaults.Telemetry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenTelemetry;

namespace Coordination.Opinions.Domain;

public enum DeadlineOutcome { Raised = 1, AlreadyAdopted = 2 }

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

/// <summary>Fires the deadlines whose time has come: an overdue alert (through the outbox) only where no opinion is adopted.</summary>
public sealed class OpinionDeadlineScheduler(OpinionsDbContext db, TimeProvider clock) : IPeriodicPass
{
    Task IPeriodicPass.RunPassAsync(CancellationToken cancellationToken) => RunAsync(cancellationToken);

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        List<OpinionDeadline> ready;
        using (SuppressInstrumentationScope.Begin())
        {
            ready = await db.Deadlines.Where(d => d.FiredAt == null && d.FiresAt <= now).OrderBy(d => d.FiresAt).ToListAsync(cancellationToken);
        }
        var raised = 0;
        foreach (var deadline in ready)
        {
            using var activity = CoordinationTelemetry.Source.StartActivity("opinions deadline respond-by");
            activity?.SetTag("coordination.review.id", deadline.ReviewId.ToString());
            var review = await db.Reviews.SingleAsync(r => r.Id == deadline.ReviewId, cancellationToken);
            if (review.RaiseOverdueIfLate(now) is { } overdue)
            {
                review.Touch();
                db.PublishOnCommit(overdue);
                deadline.Fired(DeadlineOutcome.Raised, now);
                raised++;
            }
            else deadline.Fired(DeadlineOutcome.AlreadyAdopted, now);
            activity?.SetTag("coordination.deadline.outcome", deadline.Outcome.ToString());
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateConcurrencyException)
            {
                // Another pass fired it first: its alert stands, this one is dropped with its outbox row.
                db.ChangeTracker.Clear();
                if (deadline.Outcome == DeadlineOutcome.Raised) raised--;
            }
        }
        return raised;
    }
}


using Coordination.Opinions.Domain;
using Coordination.Opinions.Persistence;
using Coordination.ServiceDefaults.Hosting;
using Coordination.ServiceDefaults.Telemetry;
using Microsoft.EntityFrameworkCore;
using OpenTelemetry;

namespace Coordination.Opinions.Application;

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
            ready = await db
                .Deadlines.Where(d => d.FiredAt == null && d.FiresAt <= now)
                .OrderBy(d => d.FiresAt)
                .ToListAsync(cancellationToken);
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
            else
                deadline.Fired(DeadlineOutcome.AlreadyAdopted, now);
            activity?.SetTag("coordination.deadline.outcome", deadline.Outcome.ToString());
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateConcurrencyException)
            {
                // Another pass fired it first: its alert stands, this one is dropped with its outbox row.
                db.ChangeTracker.Clear();
                if (deadline.Outcome == DeadlineOutcome.Raised)
                    raised--;
            }
        }
        return raised;
    }
}

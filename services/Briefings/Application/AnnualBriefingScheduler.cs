using Coordination.Briefings.Domain;
using Coordination.Briefings.Persistence;
using Coordination.Contracts.Briefings;
using Coordination.ServiceDefaults.Hosting;
using Coordination.ServiceDefaults.Telemetry;
using Coordination.ServiceDefaults.Territories;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenTelemetry;

namespace Coordination.Briefings.Application;

/// <summary>
/// Keeps a due and an overdue deadline per served territory and year, and fires those whose time
/// has come: an alert is published (through the outbox) only if the year still has no briefing.
/// </summary>
public sealed class AnnualBriefingScheduler(BriefingsDbContext db, TimeProvider clock, IOptions<BriefingsOptions> options) : IPeriodicPass
{
    Task IPeriodicPass.RunPassAsync(CancellationToken cancellationToken) => RunAsync(cancellationToken);

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await EnsureDeadlinesAsync(now, cancellationToken);

        var raised = 0;
        List<BriefingDeadline> ready;
        using (SuppressInstrumentationScope.Begin())
        {
            ready = await db
                .Deadlines.Where(d => d.FiredAt == null && d.FiresAt <= now)
                .OrderBy(d => d.FiresAt)
                .ToListAsync(cancellationToken);
        }
        foreach (var deadline in ready)
        {
            // Each fired deadline starts its own story: the alert it may publish continues this trace.
            using var activity = CoordinationTelemetry.Source.StartActivity($"briefings deadline {deadline.Kind}");
            activity?.SetTag("coordination.territory", deadline.Territory.Value);
            activity?.SetTag("coordination.year", deadline.Year);
            var met = await db.Briefings.AnyAsync(b => b.Territory == deadline.Territory && b.Year == deadline.Year, cancellationToken);
            var outcome = deadline.Fire(met, now);
            activity?.SetTag("coordination.deadline.outcome", outcome.ToString());
            if (outcome == DeadlineOutcome.Raised)
            {
                raised++;
                if (deadline.Kind == DeadlineKind.AnnualBriefingDue)
                    db.PublishOnCommit(
                        new AnnualBriefingDue
                        {
                            Territory = deadline.Territory,
                            Year = deadline.Year,
                            YearEndsOn = new DateOnly(deadline.Year, 12, 31),
                            RaisedAt = now,
                        }
                    );
                else
                    db.PublishOnCommit(
                        new AnnualBriefingOverdue
                        {
                            Territory = deadline.Territory,
                            Year = deadline.Year,
                            RaisedAt = now,
                        }
                    );
            }
            await db.SaveChangesAsync(cancellationToken);
        }
        return raised;
    }

    private async Task EnsureDeadlinesAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var territories = options.Value.ServedTerritories();
        var years = territories.Select(t => TerritoryCalendar.Today(t, now).Year).Distinct().ToList();
        using var quiet = SuppressInstrumentationScope.Begin();
        var existing = (
            await db
                .Deadlines.Where(d => years.Contains(d.Year))
                .Select(d => new
                {
                    d.Kind,
                    d.Territory,
                    d.Year,
                })
                .ToListAsync(cancellationToken)
        ).Select(d => (d.Kind, d.Territory, d.Year)).ToHashSet();

        var added = false;
        foreach (var territory in territories)
        {
            var year = TerritoryCalendar.Today(territory, now).Year;
            foreach (var deadline in BriefingDeadline.ForYear(territory, year, options.Value.DueLead))
            {
                if (existing.Contains((deadline.Kind, deadline.Territory, deadline.Year)))
                    continue;
                db.Deadlines.Add(deadline);
                added = true;
            }
        }
        if (!added)
            return;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another instance inserted them first; the unique index keeps one of each.
            db.ChangeTracker.Clear();
        }
    }
}

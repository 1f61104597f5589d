using Coordination.CourtReporting.Domain;
using Coordination.CourtReporting.Persistence;
using Coordination.ServiceDefaults.Hosting;
using Coordination.ServiceDefaults.Persistence;
using Coordination.ServiceDefaults.Security;
using Coordination.ServiceDefaults.Telemetry;
using Coordination.ServiceDefaults.Territories;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenTelemetry;

namespace Coordination.CourtReporting.Application;

/// <summary>
/// Keeps one reporting deadline per jurisdiction and, when a period is over, issues that
/// jurisdiction's periodic report and writes the next period's deadline in the same commit.
/// </summary>
public sealed class ReportingSchedule(
    CourtReportingDbContext db,
    CourtReportIssuer issuer,
    TimeProvider clock,
    IOptions<CourtReportingOptions> options
) : IPeriodicPass
{
    Task IPeriodicPass.RunPassAsync(CancellationToken cancellationToken) => RunAsync(cancellationToken);

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var months = options.Value.PeriodMonths;
        List<ReportingDeadline> pending;
        Dictionary<string, Jurisdiction> active;
        using (SuppressInstrumentationScope.Begin())
        {
            pending = await db.Deadlines.Where(d => d.FiredAt == null).ToListAsync(cancellationToken);
            // The directory's active jurisdictions (ADR 16): one registered since the last pass gets its first deadline now.
            active = (await db.Jurisdictions.AsNoTracking().Where(j => j.RetiredAt == null).ToListAsync(cancellationToken))
                .Select(j => j.ToJurisdiction())
                .ToDictionary(j => j.Id);
            var missing = active.Values.Where(j => pending.All(d => d.Jurisdiction != j.Id)).ToList();
            if (missing.Count > 0)
            {
                foreach (var jurisdiction in missing)
                    db.Deadlines.Add(ReportingDeadline.For(jurisdiction, TerritoryCalendar.Today(jurisdiction.Territory, now), months));
                await db.SaveChangesAsync(cancellationToken);
                pending = await db.Deadlines.Where(d => d.FiredAt == null).ToListAsync(cancellationToken);
            }
        }

        var issued = 0;
        foreach (var due in pending.Where(d => d.DueAt <= now).OrderBy(d => d.DueAt).ToList())
        {
            if (!active.TryGetValue(due.Jurisdiction, out var jurisdiction))
                continue;
            using var activity = CoordinationTelemetry.Source.StartActivity("court-reporting periodic report");
            activity?.SetTag("coordination.jurisdiction", jurisdiction.Id);
            // The report, its facts' marks and the next deadline commit together; a replay reads the deadline again.
            await db.InOneTransactionAsync(
                async () =>
                {
                    var deadline = await db.Deadlines.SingleAsync(d => d.Id == due.Id, cancellationToken);
                    // An immediate report may already have gone past the period's end: then this period has nothing left to report.
                    var lastEnd = await db
                        .Reports.Where(r => r.Jurisdiction == jurisdiction.Id)
                        .MaxAsync(r => (DateOnly?)r.PeriodEnd, cancellationToken);
                    if (lastEnd is null || lastEnd < deadline.PeriodEnd)
                    {
                        var start = lastEnd is { } end && end >= deadline.PeriodStart ? end.AddDays(1) : deadline.PeriodStart;
                        await issuer.StageAsync(jurisdiction, start, deadline.PeriodEnd, ReportTrigger.Periodic, now, cancellationToken);
                    }
                    db.Deadlines.Add(deadline.Fire(jurisdiction, now, months));
                    await db.SaveChangesAsync(cancellationToken);
                },
                cancellationToken
            );
            issued++;
        }
        return issued;
    }
}

using Coordination.Contracts.Gateway;
using Coordination.CourtReporting.Domain;
using Coordination.CourtReporting.Persistence;
using Coordination.ServiceDefaults.Outbox;
using Coordination.ServiceDefaults.Territories;
using MassTransit;
using Microsoft.Extensions.Options;
using Microsoft.EntityFrameworkCore;

namespace Coordination.CourtReporting.Consumers;

/// <summary>
/// The jurisdictions reports are scheduled for follow the gateway's directory (ADR 16), as Supervision's
/// partners do. A registration adds or updates the copy and gives it the deadline of its current
/// period in the same commit; a retirement drops its pending deadline, so no report is issued for it
/// any more. Reports already issued stay readable, as do their facts.
/// </summary>
public sealed class JurisdictionDirectoryChangedConsumer(CourtReportingDbContext db, TimeProvider clock, IOptions<CourtReportingOptions> options)
    : IdempotentConsumer<JurisdictionDirectoryChanged, CourtReportingDbContext>(db)
{
    protected override async Task Handle(ConsumeContext<JurisdictionDirectoryChanged> context)
    {
        var change = context.Message;
        var ct = context.CancellationToken;
        var existing = await Db.Jurisdictions.SingleOrDefaultAsync(j => j.Id == change.Jurisdiction, ct);
        // A change older than the copy arrived late: the newer one stands.
        if (existing is not null && existing.ChangedAt > change.ChangedAt) return;
        if (existing is null)
        {
            existing = new ScheduledJurisdiction
            {
                Id = change.Jurisdiction, Name = change.Name, SentenceEnforcementCourt = change.SentenceEnforcementCourt,
                ProbationService = change.ProbationService,
            };
            Db.Jurisdictions.Add(existing);
        }
        existing.Name = change.Name;
        existing.Territory = change.Territory;
        existing.SentenceEnforcementCourt = change.SentenceEnforcementCourt;
        existing.ProbationService = change.ProbationService;
        existing.ChangedAt = change.ChangedAt;
        existing.RetiredAt = change.Retired ? change.ChangedAt : null;
        var pending = await Db.Deadlines.Where(d => d.Jurisdiction == change.Jurisdiction && d.FiredAt == null).ToListAsync(ct);
        if (change.Retired) Db.Deadlines.RemoveRange(pending);
        // Registered: its first period's deadline in this commit, so that the next report's due date is known at once.
        else if (pending.Count == 0)
            Db.Deadlines.Add(ReportingDeadline.For(existing.ToJurisdiction(), TerritoryCalendar.Today(change.Territory, clock.GetUtcNow()),
                options.Value.PeriodMonths));
    }
}

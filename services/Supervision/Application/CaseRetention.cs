using Coordination.Contracts.Gateway;
using Coordination.Contracts.Supervision;
using Coordination.ServiceDefaults.Hosting;
using Coordination.ServiceDefaults.Outbox;
using Coordination.ServiceDefaults.Telemetry;
using Coordination.Supervision.Domain;
using Coordination.Supervision.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenTelemetry;

namespace Coordination.Supervision.Application;

/// <summary>
/// Purges ended cases whose retention has elapsed: the case and everything under it are deleted and
/// <see cref="SupervisionPurged"/> is published in the same commit, so the gateway's vault and
/// CourtReporting forget the person too.
/// </summary>
public sealed class CaseRetention(
    SupervisionDbContext db,
    PartnerInformation information,
    TimeProvider clock,
    IOptions<SupervisionOptions> retention
) : IPeriodicPass
{
    Task IPeriodicPass.RunPassAsync(CancellationToken cancellationToken) => PurgeDueAsync(cancellationToken);

    public async Task<int> PurgeDueAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await EndMeasuresOverAsync(now, cancellationToken);
        List<SupervisionCase> due;
        using (SuppressInstrumentationScope.Begin())
        {
            due = await db
                .Cases.WithFollowUp()
                .Where(c => c.Status == CaseStatus.Ended && c.PurgeDueAt != null && c.PurgeDueAt <= now)
                .ToListAsync(cancellationToken);
        }
        foreach (var ended in due)
        {
            using var activity = CoordinationTelemetry.Source.StartActivity("supervision retention purge");
            activity?.SetTag("coordination.case.id", ended.Id.ToString());
            db.Cases.Remove(ended);
            var another = await db.Cases.AnyAsync(c => c.Person == ended.Person && c.Id != ended.Id, cancellationToken);
            var purgeMessage = MassTransit.NewId.NextGuid();
            var purged = new SupervisionPurged
            {
                CaseId = ended.Id,
                Person = ended.Person,
                PurgedAt = now,
                LastCaseOfPerson = !another,
            };
            db.PublishOnCommit(purged, messageId: purgeMessage);
            // The messages this service sent about the person go in the same commit; the purge message
            // itself goes once the broker has it (ForgottenOnceSent).
            await db
                .Database.CreateExecutionStrategy()
                .ExecuteAsync(async () =>
                {
                    await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                    await db.SaveChangesAsync(cancellationToken);
                    if (!another)
                        await db.ForgetOutboxOfAsync(ended.Person.Value, cancellationToken, except: purgeMessage);
                    await transaction.CommitAsync(cancellationToken);
                });
        }
        return due.Count;
    }

    /// <summary>Open cases whose measure is over end by themselves: a case nobody ended would otherwise be kept forever.</summary>
    private async Task EndMeasuresOverAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Candidates by the UTC date; the case decides by its territory's own day.
        var utcToday = DateOnly.FromDateTime(now.UtcDateTime);
        List<SupervisionCase> over;
        using (SuppressInstrumentationScope.Begin())
            over = await db
                .Cases.WithFollowUp()
                .Where(c => c.Status == CaseStatus.Open && c.MeasureEndsOn < utcToday)
                .ToListAsync(cancellationToken);
        foreach (var open in over)
            if (open.EndIfMeasureOver(now, retention.Value.RetentionPeriod) is { } ended)
            {
                db.PublishOnCommit(ended);
                information.NotifyAuthority(db, open, CaseNotice.CaseEnded);
                await db.SaveChangesAsync(cancellationToken);
            }
    }
}

using Coordination.Contracts.Gateway;
using Coordination.Contracts.Supervision;
using Coordination.Contracts.Values;
using Coordination.CourtReporting.Domain;
using Coordination.CourtReporting.Persistence;
using Coordination.ServiceDefaults.Outbox;
using Coordination.ServiceDefaults.Persistence;
using Coordination.ServiceDefaults.Territories;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Coordination.CourtReporting.Application;

// The picture is built from Supervision's published facts alone: nothing an agency sends reaches it (4° is one-way).
// Each handler works on the context it is given, the consumer's (IdempotentConsumer.Db): in a group commit that is the
// writer's, so a handler never takes one of its own.

/// <summary>
/// The case is opened: facts that came before now belong to its jurisdiction, and a serious incident among them is
/// reported now (through the issuer, which stages on the scope's context: the consumer commits alone).
/// </summary>
public sealed class SupervisionOpenedHandler(CourtReportIssuer issuer, TimeProvider clock, IOptions<CourtReportingOptions> options)
{
    public async Task HandleAsync(CourtReportingDbContext db, SupervisionOpened opened, CancellationToken ct)
    {
        var picture = await db.Cases.SingleOrDefaultAsync(c => c.CaseId == opened.CaseId, ct);
        if (picture is { AwaitsOpening: false })
            return;
        if (picture is null)
        {
            picture = CasePicture.AwaitingOpening(opened.CaseId, opened.Person);
            db.Cases.Add(picture);
        }
        picture.Opened(opened);

        var early = await db.Facts.Where(f => f.CaseId == opened.CaseId && f.ReportId == null).ToListAsync(ct);
        foreach (var fact in early)
            fact.Jurisdiction = picture.Jurisdiction;
        if (
            early.Any(f => f.Kind == FactKind.Incident && f.Severity == IncidentSeverity.Serious)
            && await db.ActiveJurisdictionAsync(picture.Jurisdiction, ct) is { } jurisdiction
        )
            await issuer.StageImmediateAsync(
                jurisdiction,
                early.Where(f => f.Kind == FactKind.Incident).Max(f => f.On),
                clock.GetUtcNow(),
                options.Value.PeriodMonths,
                ct
            );
    }
}

public sealed class PartnerAssignedHandler
{
    public async Task HandleAsync(CourtReportingDbContext db, PartnerAssigned assigned, CancellationToken ct)
    {
        var picture = await db.PictureOfAsync(assigned.CaseId, assigned.Person, ct);
        if (picture.Partners.All(p => p.Partner != assigned.Partner.Value))
            picture.Partners = [.. picture.Partners, new PartnerInPlace(assigned.Partner.Value, assigned.Role)];
    }
}

/// <summary>A partner taken off the case is no longer among its partners in place (what it recorded stays counted).</summary>
public sealed class PartnerUnassignedHandler
{
    public async Task HandleAsync(CourtReportingDbContext db, PartnerUnassigned unassigned, CancellationToken ct)
    {
        var picture = await db.PictureOfAsync(unassigned.CaseId, unassigned.Person, ct);
        picture.Partners = picture.Partners.Where(p => p.Partner != unassigned.Partner.Value).ToList();
    }
}

public sealed class ControlScheduledHandler
{
    public async Task HandleAsync(CourtReportingDbContext db, ControlScheduled scheduled, CancellationToken ct)
    {
        var picture = await db.PictureOfAsync(scheduled.CaseId, scheduled.Person, ct);
        await db.AddFactOnceAsync(
            new ReportableFact
            {
                Id = scheduled.ControlId,
                Kind = FactKind.ControlPlanned,
                CaseId = picture.CaseId,
                Jurisdiction = picture.Jurisdiction,
                On = scheduled.ScheduledFor,
            },
            ct
        );
    }
}

public sealed class ControlRecordedHandler
{
    public async Task HandleAsync(CourtReportingDbContext db, ControlRecorded recorded, CancellationToken ct)
    {
        // A postponed control is neither done nor missed: it stays planned.
        if (recorded.Outcome == ControlOutcome.Postponed)
            return;
        var picture = await db.PictureOfAsync(recorded.CaseId, recorded.Person, ct);
        await db.AddFactOnceAsync(
            new ReportableFact
            {
                Id = recorded.ControlId,
                Kind = recorded.Outcome == ControlOutcome.Missed ? FactKind.ControlMissed : FactKind.ControlDone,
                CaseId = picture.CaseId,
                Jurisdiction = picture.Jurisdiction,
                On = recorded.ControlledOn,
                Detail = ClosedList<ControlOutcome>.WordOf(recorded.Outcome),
            },
            ct
        );
    }
}

/// <summary>An incident joins the picture; a serious one is reported to the JAP and SPIP at once, not at the end of the month.</summary>
public sealed class IncidentReportedHandler(CourtReportIssuer issuer, TimeProvider clock, IOptions<CourtReportingOptions> options)
{
    public async Task HandleAsync(CourtReportingDbContext db, IncidentReported incident, CancellationToken ct)
    {
        var picture = await db.PictureOfAsync(incident.CaseId, incident.Person, ct);
        var added = await db.AddFactOnceAsync(
            new ReportableFact
            {
                Id = incident.IncidentId,
                Kind = FactKind.Incident,
                CaseId = picture.CaseId,
                Jurisdiction = picture.Jurisdiction,
                On = TerritoryCalendar.Today(picture.Territory, incident.OccurredAt),
                Detail = ClosedList<IncidentKind>.WordOf(incident.Kind),
                Severity = incident.Severity,
            },
            ct
        );
        if (!added || incident.Severity != IncidentSeverity.Serious)
            return;
        // A jurisdiction the directory has not told of yet (or retired) gets no report now; its next periodic one counts the incident.
        if (await db.ActiveJurisdictionAsync(picture.Jurisdiction, ct) is not { } jurisdiction)
            return;
        await issuer.StageImmediateAsync(
            jurisdiction,
            TerritoryCalendar.Today(picture.Territory, incident.OccurredAt),
            clock.GetUtcNow(),
            options.Value.PeriodMonths,
            ct
        );
    }
}

/// <summary>A support action planned: counted, by kind only, in the next report's figures.</summary>
public sealed class SupportActionPlannedHandler
{
    public async Task HandleAsync(CourtReportingDbContext db, SupportActionPlanned planned, CancellationToken ct)
    {
        var picture = await db.PictureOfAsync(planned.CaseId, planned.Person, ct);
        await db.AddFactOnceAsync(
            new ReportableFact
            {
                Id = planned.ActionId,
                Kind = FactKind.SupportActionPlanned,
                CaseId = picture.CaseId,
                Jurisdiction = picture.Jurisdiction,
                On = planned.PlannedOn,
                Detail = ClosedList<SupportActionKind>.WordOf(planned.Kind),
            },
            ct
        );
    }
}

/// <summary>A support action started, completed or abandoned: each counted once, in the report of the period it happened in.</summary>
public sealed class SupportActionProgressedHandler
{
    public async Task HandleAsync(CourtReportingDbContext db, SupportActionProgressed progressed, CancellationToken ct)
    {
        FactKind? kind = progressed.Status switch
        {
            SupportActionStatus.InProgress => FactKind.SupportActionStarted,
            SupportActionStatus.Completed => FactKind.SupportActionCompleted,
            SupportActionStatus.Abandoned => FactKind.SupportActionAbandoned,
            _ => null,
        };
        if (kind is null)
            return;
        var picture = await db.PictureOfAsync(progressed.CaseId, progressed.Person, ct);
        await db.AddFactOnceAsync(
            new ReportableFact
            {
                Id = progressed.ActionId,
                Kind = kind.Value,
                CaseId = picture.CaseId,
                Jurisdiction = picture.Jurisdiction,
                On = progressed.On,
                Detail = ClosedList<SupportActionKind>.WordOf(progressed.Kind),
            },
            ct
        );
    }
}

public sealed class SupervisionEndedHandler
{
    public async Task HandleAsync(CourtReportingDbContext db, SupervisionEnded ended, CancellationToken ct)
    {
        var picture = await db.PictureOfAsync(ended.CaseId, ended.Person, ct);
        picture.Open = false;
        picture.EndReason = ended.Reason;
        await db.AddFactOnceAsync(
            new ReportableFact
            {
                Id = ended.CaseId,
                Kind = FactKind.CaseEnded,
                CaseId = picture.CaseId,
                Jurisdiction = picture.Jurisdiction,
                On = TerritoryCalendar.Today(picture.Territory, ended.EndedAt),
                Detail = ClosedList<SupervisionEndReason>.WordOf(ended.Reason),
            },
            ct
        );
    }
}

/// <summary>
/// Retention elapsed: the case's picture and facts are deleted; when it was the person's last case,
/// the person's lines leave the reports already issued (their figures stay, as issued).
/// </summary>
public sealed class SupervisionPurgedHandler
{
    /// <summary>Stages the deletions; returns the person's reference when their release requests must leave the outbox too.</summary>
    public async Task<string?> HandleAsync(CourtReportingDbContext db, SupervisionPurged purged, CancellationToken ct)
    {
        // The tombstone commits with the deletions: a fact of this case that comes later is dropped.
        if (!await db.PurgedCases.AnyAsync(p => p.CaseId == purged.CaseId, ct))
            db.PurgedCases.Add(new PurgedCase { CaseId = purged.CaseId, PurgedAt = purged.PurgedAt });
        var picture = await db.Cases.SingleOrDefaultAsync(c => c.CaseId == purged.CaseId, ct);
        if (picture is not null)
            db.Cases.Remove(picture);
        db.Facts.RemoveRange(await db.Facts.Where(f => f.CaseId == purged.CaseId).ToListAsync(ct));
        if (!purged.LastCaseOfPerson)
            return null;
        var reports = picture is { AwaitsOpening: false }
            ? await db.Reports.Where(r => r.Jurisdiction == picture.Jurisdiction).ToListAsync(ct)
            : await db.Reports.ToListAsync(ct);
        foreach (var report in reports.Where(r => r.Lines.Any(l => l.Person == purged.Person.Value)))
            report.Lines = report.Lines.Where(l => l.Person != purged.Person.Value).ToList();
        return purged.Person.Value;
    }

    /// <summary>Inside the consumer's one transaction: the release requests that listed the person go with the lines.</summary>
    public async Task CommitAsync(CourtReportingDbContext db, string? forgotten, CancellationToken ct)
    {
        await db.SaveChangesAsync(ct);
        if (forgotten is { } reference)
            await db.ForgetOutboxOfAsync(reference, ct);
    }
}

/// <summary>
/// The gateway refused a report to a recipient (no rules in force, no rule granting it...): the
/// report shows why, and its facts are given back to the next report, which the JAP and SPIP then
/// receive instead. Denials of other services' releases name no report and change nothing.
/// </summary>
public sealed class ReportDeniedHandler(TimeProvider clock)
{
    public async Task HandleAsync(CourtReportingDbContext db, ConfidentialPayloadDenied denied, CancellationToken ct)
    {
        if (await db.Reports.SingleOrDefaultAsync(r => r.Id == denied.ReleaseId, ct) is not { } report)
            return;
        var outcome = denied.ReasonCode == ReleaseReasonCodes.NoRecipientKey ? RecipientOutcome.Held : RecipientOutcome.Denied;
        if (!report.Answered(denied.Recipient, outcome, denied.ReasonCode, clock.GetUtcNow()))
            return;
        foreach (var fact in await db.Facts.Where(f => f.ReportId == report.Id).ToListAsync(ct))
            fact.ReportId = null;
    }
}

/// <summary>The gateway delivered a report to a recipient (at once, or once its key was registered).</summary>
public sealed class ReportReleasedHandler(TimeProvider clock)
{
    public async Task HandleAsync(CourtReportingDbContext db, ConfidentialPayloadReleased released, CancellationToken ct)
    {
        if (await db.Reports.SingleOrDefaultAsync(r => r.Id == released.ReleaseId, ct) is { } report)
            report.Answered(released.Recipient, RecipientOutcome.Released, null, clock.GetUtcNow());
    }
}

/// <summary>
/// The jurisdictions reports are scheduled for follow the gateway's directory (ADR 16), as Supervision's
/// partners do. A registration adds or updates the copy and gives it the deadline of its current
/// period in the same commit; a retirement drops its pending deadline, so no report is issued for it
/// any more. Reports already issued stay readable, as do their facts.
/// </summary>
public sealed class JurisdictionDirectoryChangedHandler(TimeProvider clock, IOptions<CourtReportingOptions> options)
{
    public async Task HandleAsync(CourtReportingDbContext db, JurisdictionDirectoryChanged change, CancellationToken ct)
    {
        var existing = await db.Jurisdictions.SingleOrDefaultAsync(j => j.Id == change.Jurisdiction, ct);
        // A change older than the copy arrived late: the newer one stands.
        if (existing is not null && existing.ChangedAt > change.ChangedAt)
            return;
        if (existing is null)
        {
            existing = new ScheduledJurisdiction
            {
                Id = change.Jurisdiction,
                Name = change.Name,
                SentenceEnforcementCourt = change.SentenceEnforcementCourt,
                ProbationService = change.ProbationService,
            };
            db.Jurisdictions.Add(existing);
        }
        existing.Name = change.Name;
        existing.Territory = change.Territory;
        existing.SentenceEnforcementCourt = change.SentenceEnforcementCourt;
        existing.ProbationService = change.ProbationService;
        existing.ChangedAt = change.ChangedAt;
        existing.RetiredAt = change.Retired ? change.ChangedAt : null;
        var pending = await db.Deadlines.Where(d => d.Jurisdiction == change.Jurisdiction && d.FiredAt == null).ToListAsync(ct);
        if (change.Retired)
            db.Deadlines.RemoveRange(pending);
        // Registered: its first period's deadline in this commit, so that the next report's due date is known at once.
        else if (pending.Count == 0)
            db.Deadlines.Add(
                ReportingDeadline.For(
                    existing.ToJurisdiction(),
                    TerritoryCalendar.Today(change.Territory, clock.GetUtcNow()),
                    options.Value.PeriodMonths
                )
            );
    }
}

/// <summary>A fact of a case already purged comes too late: it is dropped and counted, by ids only, never applied.</summary>
public sealed class LateFactFilter(ILogger<LateFactFilter> logger)
{
    public async Task<bool> IsLateAsync(CourtReportingDbContext db, Guid caseId, string factType, Guid? messageId, CancellationToken ct)
    {
        if (!await db.WasPurgedAsync(caseId, ct))
            return false;
        LateFacts.Drop(logger, CourtReportingService.Name, factType, caseId, messageId);
        return true;
    }
}

internal static class PictureQueries
{
    /// <summary>
    /// Facts and the case's opening travel on different queues: a fact that comes first is kept on a
    /// picture awaiting the opening, which gives it its jurisdiction.
    /// </summary>
    public static async Task<CasePicture> PictureOfAsync(
        this CourtReportingDbContext db,
        Guid caseId,
        PersonRef person,
        CancellationToken ct
    )
    {
        var picture = await db.Cases.SingleOrDefaultAsync(c => c.CaseId == caseId, ct);
        if (picture is null)
        {
            picture = CasePicture.AwaitingOpening(caseId, person);
            db.Cases.Add(picture);
        }
        else
        {
            // Every writer of a picture bumps its version: of two facts of one case at once (two
            // partners assigned, an end and an assignment), the second is retried on what the first
            // wrote instead of overwriting it. While the opening is awaited, the fact that commits
            // after the opening is retried and takes the jurisdiction.
            picture.Touch();
        }
        return picture;
    }

    /// <summary>The case's tombstone is there: a fact of it arriving now is late and dropped.</summary>
    public static Task<bool> WasPurgedAsync(this CourtReportingDbContext db, Guid caseId, CancellationToken ct) =>
        db.PurgedCases.AnyAsync(p => p.CaseId == caseId, ct);

    public static async Task<bool> AddFactOnceAsync(this CourtReportingDbContext db, ReportableFact fact, CancellationToken ct)
    {
        if (await db.Facts.AnyAsync(f => f.Id == fact.Id && f.Kind == fact.Kind, ct))
            return false;
        db.Facts.Add(fact);
        return true;
    }
}

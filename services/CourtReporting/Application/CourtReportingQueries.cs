using System.Security.Claims;
using Coordination.CourtReporting.Domain;
using Coordination.CourtReporting.Persistence;
using Coordination.ServiceDefaults.Persistence;
using Coordination.ServiceDefaults.Rules;
using Coordination.ServiceDefaults.Security;
using Coordination.ServiceDefaults.Territories;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Coordination.CourtReporting.Application;

public sealed record ReportSummary(
    Guid Id,
    string Jurisdiction,
    int Number,
    DateOnly PeriodStart,
    DateOnly PeriodEnd,
    ReportTrigger Trigger,
    DateTimeOffset IssuedAt,
    ReportFigures Figures,
    ReportStatus Status,
    string? RefusalReason
)
{
    public static ReportSummary Of(CourtReport r) =>
        new(r.Id, r.Jurisdiction, r.Number, r.PeriodStart, r.PeriodEnd, r.Trigger, r.IssuedAt, r.Figures, r.Status, r.RefusalReason);
}

/// <summary>
/// A report as operators see it, with the gateway's answer: <c>issued</c> (no answer yet),
/// <c>released</c>, <c>held</c> (a recipient has no key yet) or <c>refused</c> with the reason, its
/// facts then counted by the next report.
/// </summary>
public sealed record ReportView(
    Guid Id,
    string Jurisdiction,
    int Number,
    DateOnly PeriodStart,
    DateOnly PeriodEnd,
    ReportTrigger Trigger,
    DateTimeOffset IssuedAt,
    ReportFigures Figures,
    IReadOnlyList<ReportLine> Lines,
    IReadOnlyList<string> CoveredFacts,
    ReportStatus Status,
    string? RefusalReason,
    DateTimeOffset? RefusedAt,
    IReadOnlyList<RecipientOutcome> Outcomes
)
{
    public static ReportView Of(CourtReport r) =>
        new(
            r.Id,
            r.Jurisdiction,
            r.Number,
            r.PeriodStart,
            r.PeriodEnd,
            r.Trigger,
            r.IssuedAt,
            r.Figures,
            r.Lines,
            r.CoveredFacts,
            r.Status,
            r.RefusalReason,
            r.RefusedAt,
            r.Outcomes
        );
}

/// <summary>
/// A jurisdiction reports are scheduled for, as the directory registered it: its JAP and SPIP accounts, and the last
/// day of the period its next periodic report closes (null until the schedule's next pass gives it a deadline).
/// </summary>
public sealed record JurisdictionView(
    string Id,
    string Name,
    string Territory,
    string SentenceEnforcementCourt,
    string ProbationService,
    DateOnly? NextPeriodEnd
);

public sealed record PictureLine(
    string Person,
    IReadOnlyList<PartnerInPlace> Partners,
    int ControlsPlanned,
    int ControlsDone,
    int ControlsMissed,
    int Incidents
);

/// <summary>A jurisdiction's current picture: open cases and what has happened since the last report.</summary>
public sealed record JurisdictionPicture(string Jurisdiction, string Name, int? LastReportNumber, IReadOnlyList<PictureLine> OpenCases);

/// <summary>
/// What operators read of CourtReporting, limited to the jurisdictions of their territories: any other answers like one
/// that does not exist (null).
/// </summary>
public sealed class CourtReportingQueries(CourtReportingDbContext db)
{
    /// <summary>
    /// A jurisdiction of the directory's copy in one of the caller's territories. A retired one is still read (its
    /// reports and last picture) unless <paramref name="includeRetired"/> is false, as for issuing a report.
    /// </summary>
    public async Task<Jurisdiction?> VisibleAsync(string? id, ClaimsPrincipal user, CancellationToken ct, bool includeRetired = true) =>
        id is { Length: <= ScheduledJurisdiction.IdMaxLength }
        && await db.JurisdictionAsync(id, includeRetired, ct) is { } j
        && user.ActsFor(j.Territory)
            ? j
            : null;

    private async Task<List<ScheduledJurisdiction>> MineAsync(ClaimsPrincipal user, CancellationToken ct, bool includeRetired = false) =>
        (await db.Jurisdictions.AsNoTracking().Where(j => includeRetired || j.RetiredAt == null).OrderBy(j => j.Id).ToListAsync(ct))
            .Where(j => user.ActsFor(j.Territory))
            .ToList();

    /// <summary>
    /// The jurisdictions reports are scheduled for in the caller's territories, each with its next periodic report's due date.
    /// </summary>
    public async Task<IReadOnlyList<JurisdictionView>> JurisdictionsAsync(ClaimsPrincipal user, CancellationToken ct)
    {
        var mine = await MineAsync(user, ct);
        var ids = mine.Select(j => j.Id).ToList();
        var deadlines = await db.Deadlines.AsNoTracking().Where(d => d.FiredAt == null && ids.Contains(d.Jurisdiction)).ToListAsync(ct);
        return mine.Select(j => new JurisdictionView(
                j.Id,
                j.Name,
                j.Territory.Value,
                j.SentenceEnforcementCourt,
                j.ProbationService,
                deadlines.Where(d => d.Jurisdiction == j.Id).Select(d => (DateOnly?)d.PeriodEnd).Min()
            ))
            .ToList();
    }

    /// <summary>The reports of one visible jurisdiction, or of all the caller's; null when the one named is not visible.</summary>
    public async Task<IReadOnlyList<ReportSummary>?> ReportsAsync(string? jurisdiction, ClaimsPrincipal user, CancellationToken ct)
    {
        List<string> ids;
        if (jurisdiction is not null)
        {
            if (await VisibleAsync(jurisdiction, user, ct) is not { } one)
                return null;
            ids = [one.Id];
        }
        else
            ids = (await MineAsync(user, ct, includeRetired: true)).Select(j => j.Id).ToList();
        var reports = await db.Reports.AsNoTracking().Where(r => ids.Contains(r.Jurisdiction)).ToListAsync(ct);
        return reports.OrderBy(r => r.Jurisdiction).ThenByDescending(r => r.Number).Select(ReportSummary.Of).ToList();
    }

    public async Task<CourtReport?> ReportAsync(Jurisdiction visible, int number, CancellationToken ct) =>
        await db.Reports.AsNoTracking().SingleOrDefaultAsync(r => r.Jurisdiction == visible.Id && r.Number == number, ct);

    public async Task<JurisdictionPicture> PictureAsync(Jurisdiction visible, CancellationToken ct)
    {
        var cases = await db.Cases.AsNoTracking().Where(c => c.Jurisdiction == visible.Id && c.Open).ToListAsync(ct);
        var facts = await db.Facts.AsNoTracking().Where(f => f.Jurisdiction == visible.Id && f.ReportId == null).ToListAsync(ct);
        var last = await db.Reports.Where(r => r.Jurisdiction == visible.Id).MaxAsync(r => (int?)r.Number, ct);
        return new JurisdictionPicture(
            visible.Id,
            visible.Name,
            last,
            cases
                .OrderBy(c => c.Person.Value)
                .Select(c =>
                {
                    var of = facts.Where(f => f.CaseId == c.CaseId).ToList();
                    return new PictureLine(
                        c.Person.Value,
                        c.Partners,
                        of.Count(f => f.Kind == FactKind.ControlPlanned),
                        of.Count(f => f.Kind == FactKind.ControlDone),
                        of.Count(f => f.Kind == FactKind.ControlMissed),
                        of.Count(f => f.Kind == FactKind.Incident)
                    );
                })
                .ToList()
        );
    }
}

/// <summary>
/// Before a meeting, an operator has the next report of an active jurisdiction issued now rather than at the period's end.
/// </summary>
public sealed class IssueReportNowHandler(
    CourtReportingDbContext db,
    CourtReportIssuer issuer,
    TimeProvider clock,
    IOptions<CourtReportingOptions> options
)
{
    public const string InProgress = "report-in-progress";

    public async Task<CourtReport> HandleAsync(Jurisdiction active, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        try
        {
            return await db.InOneTransactionAsync(
                async () =>
                {
                    var report = await issuer.StageImmediateAsync(
                        active,
                        TerritoryCalendar.Today(active.Territory, now),
                        now,
                        options.Value.PeriodMonths,
                        ct,
                        ReportTrigger.OperatorRequest
                    );
                    await db.SaveChangesAsync(ct);
                    return report;
                },
                ct
            );
        }
        catch (DbUpdateException)
        {
            // Another report of this jurisdiction was being issued at the same moment: its facts are its own.
            throw RuleViolation.Conflict(InProgress, "Another report of this jurisdiction was being issued at the same moment.");
        }
    }
}

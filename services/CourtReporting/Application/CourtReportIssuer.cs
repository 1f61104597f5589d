using System.Text.Json;
using Coordination.Contracts.CourtReporting;
using Coordination.Contracts.Gateway;
using Coordination.Contracts.Values;
using Coordination.CourtReporting.Domain;
using Coordination.CourtReporting.Persistence;
using Coordination.ServiceDefaults.Sealing;
using Coordination.ServiceDefaults.Security;
using Coordination.ServiceDefaults.Territories;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Coordination.CourtReporting.Application;

/// <summary>
/// Issues a jurisdiction's next report: it counts every fact not yet reported up to the period's
/// end, marks them as covered, and asks the gateway to deliver it to that jurisdiction's JAP and SPIP
/// (the only recipients the gateway lets it reach), with the identities re-attached there.
/// The caller commits, in the transaction it staged the report in; the report, the marks and the messages go together.
/// </summary>
public sealed class CourtReportIssuer(CourtReportingDbContext db, SealingKeyStore keys)
{
    public const string Purpose = Purposes.CourtReporting;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<CourtReport> StageAsync(
        Jurisdiction jurisdiction,
        DateOnly periodStart,
        DateOnly periodEnd,
        ReportTrigger trigger,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        // Read without tracking: 10,000 cases and their facts are only counted here, and the stored
        // facts are marked in one statement below. What this same unit of work holds (the serious
        // incident that triggers the report, the facts an opening just placed) counts as it stands in memory.
        var trackedFacts = Tracked<ReportableFact>();
        var heldFacts = trackedFacts.Select(f => (f.Id, f.Kind)).ToHashSet();
        var ownFacts = trackedFacts.Where(f => f.Jurisdiction == jurisdiction.Id && f.ReportId == null && f.On <= periodEnd).ToList();
        var storedFacts = (
            await db
                .Facts.AsNoTracking()
                .Where(f => f.Jurisdiction == jurisdiction.Id && f.ReportId == null && f.On <= periodEnd)
                .ToListAsync(cancellationToken)
        )
            .Where(f => !heldFacts.Contains((f.Id, f.Kind)))
            .ToList();
        var facts = storedFacts.Concat(ownFacts).ToList();
        var caseIds = facts.Select(f => f.CaseId).Distinct().ToList();
        var trackedCases = Tracked<CasePicture>();
        var heldCases = trackedCases.Select(c => c.CaseId).ToHashSet();
        // One JSON parameter, not one per id: SQL Server takes at most 2,100 parameters in a statement.
        var cases = (
            await db
                .Cases.AsNoTracking()
                .Where(c => c.Jurisdiction == jurisdiction.Id && (c.Open || EF.Parameter(caseIds).Contains(c.CaseId)))
                .ToListAsync(cancellationToken)
        )
            .Where(c => !heldCases.Contains(c.CaseId))
            .Concat(trackedCases.Where(c => c.Jurisdiction == jurisdiction.Id && (c.Open || caseIds.Contains(c.CaseId))))
            .ToList();
        var number =
            (await db.Reports.Where(r => r.Jurisdiction == jurisdiction.Id).MaxAsync(r => (int?)r.Number, cancellationToken) ?? 0) + 1;

        // One pass over the facts, not one per case: 10,000 cases with three facts each took 36 s.
        var factsOfCase = facts.ToLookup(f => f.CaseId);
        var lines = cases
            .OrderBy(c => c.Person.Value, StringComparer.Ordinal)
            .Select(c =>
            {
                var of = factsOfCase[c.CaseId].ToList();
                return new ReportLine(
                    c.Person.Value,
                    c.Open,
                    c.Partners.Select(p => $"{p.Partner} ({ClosedList<Contracts.Supervision.PartnerRole>.WordOf(p.Role)})").ToList(),
                    of.Count(f => f.Kind == FactKind.ControlPlanned),
                    of.Count(f => f.Kind == FactKind.ControlDone),
                    of.Count(f => f.Kind == FactKind.ControlMissed),
                    of.Where(f => f.Kind == FactKind.Incident)
                        .OrderBy(f => f.On)
                        .Select(f => new ReportedIncident(
                            f.Detail ?? "other",
                            ClosedList<Contracts.Supervision.IncidentSeverity>.WordOf(f.Severity!.Value),
                            f.On
                        ))
                        .ToList()
                );
            })
            .ToList();
        var report = new CourtReport
        {
            Id = NewId.NextGuid(),
            Jurisdiction = jurisdiction.Id,
            Number = number,
            PeriodStart = periodStart,
            PeriodEnd = periodEnd,
            Trigger = trigger,
            IssuedAt = now,
            Figures = new ReportFigures(
                cases.Count(c => c.Open),
                facts.Count(f => f.Kind == FactKind.ControlPlanned),
                facts.Count(f => f.Kind == FactKind.ControlDone),
                facts.Count(f => f.Kind == FactKind.ControlMissed),
                facts.Count(f => f.Kind == FactKind.Incident),
                facts.Count(f => f.Kind == FactKind.Incident && f.Severity == Contracts.Supervision.IncidentSeverity.Serious),
                facts.Count(f => f.Kind == FactKind.SupportActionPlanned),
                facts.Count(f => f.Kind == FactKind.SupportActionStarted),
                facts.Count(f => f.Kind == FactKind.SupportActionCompleted),
                facts.Count(f => f.Kind == FactKind.SupportActionAbandoned)
            ),
            Lines = lines,
            CoveredFacts = facts.Select(f => $"{ClosedList<FactKind>.WordOf(f.Kind)}:{f.Id}").Order(StringComparer.Ordinal).ToList(),
        };
        foreach (var fact in ownFacts)
            fact.ReportId = report.Id;
        await MarkCoveredAsync(storedFacts, report.Id, cancellationToken);
        db.Reports.Add(report);

        db.PublishOnCommit(
            new CourtReportIssued
            {
                ReportId = report.Id,
                SentenceEnforcementJurisdiction = jurisdiction.Id,
                Number = number,
                PeriodStart = periodStart,
                PeriodEnd = periodEnd,
                Trigger = ClosedList<ReportTrigger>.WordOf(trigger),
                OpenCases = report.Figures.OpenCases,
                ControlsPlanned = report.Figures.ControlsPlanned,
                ControlsDone = report.Figures.ControlsDone,
                ControlsMissed = report.Figures.ControlsMissed,
                Incidents = report.Figures.Incidents,
                IssuedAt = now,
            }
        );

        var messageId = NewId.NextGuid();
        var payload = new Dictionary<string, object>
        {
            [ClosedList<DataCategory>.WordOf(DataCategory.CourtReport)] = ReportDocument.Of(report, jurisdiction),
        };
        db.PublishOnCommit(
            new ReleaseConfidentialPayload
            {
                ReleaseId = report.Id,
                Territory = jurisdiction.Territory,
                Purpose = Purpose,
                Categories = [DataCategory.CourtReport, DataCategory.Identity],
                Recipients = jurisdiction.ReportRecipients,
                Jurisdiction = jurisdiction.Id,
                People = cases.Select(c => c.Person).ToList(),
                Payload = PayloadSealer.Seal(
                    JsonSerializer.SerializeToUtf8Bytes(payload, Json),
                    keys.CurrentKeyOf(KeyOwners.Gateway),
                    Purpose,
                    messageId
                ),
            },
            messageId: messageId
        );
        return report;
    }

    /// <summary>
    /// The entities of <typeparamref name="T"/> this unit of work holds, as they stand in memory (deleted ones left out).
    /// </summary>
    private List<T> Tracked<T>()
        where T : class => db.ChangeTracker.Entries<T>().Where(e => e.State != EntityState.Deleted).Select(e => e.Entity).ToList();

    /// <summary>
    /// Marks the stored facts as covered by <paramref name="reportId"/>, one statement per kind, in the
    /// transaction that commits the report: 30,000 facts updated one by one took over a second. A fact
    /// another report claimed since it was read is not marked, and the whole report fails as a
    /// concurrency conflict, as the fact-by-fact update did (<see cref="ReportableFact.ReportId"/> is its token).
    /// </summary>
    private async Task MarkCoveredAsync(List<ReportableFact> stored, Guid reportId, CancellationToken cancellationToken)
    {
        if (stored.Count == 0)
            return;
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException(
                "A court report is staged inside the transaction that commits it: its facts are marked as it is staged."
            );
        foreach (var ofKind in stored.GroupBy(f => f.Kind))
        {
            var kind = ofKind.Key;
            var ids = ofKind.Select(f => f.Id).ToList();
            var marked = await db
                .Facts.Where(f => f.Kind == kind && f.ReportId == null && EF.Parameter(ids).Contains(f.Id))
                .ExecuteUpdateAsync(set => set.SetProperty(f => f.ReportId, (Guid?)reportId), cancellationToken);
            if (marked != ids.Count)
                throw new DbUpdateConcurrencyException(
                    $"{ids.Count - marked} of the {ids.Count} facts this report counts were claimed by another report while it was staged."
                );
        }
    }

    /// <summary>
    /// A report now, outside the period's rhythm (a serious incident, an operator's request): from where the last one stopped to <paramref
    /// name="upTo"/>.
    /// </summary>
    public async Task<CourtReport> StageImmediateAsync(
        Jurisdiction jurisdiction,
        DateOnly upTo,
        DateTimeOffset now,
        int months,
        CancellationToken cancellationToken,
        ReportTrigger trigger = ReportTrigger.SeriousIncident
    )
    {
        var today = TerritoryCalendar.Today(jurisdiction.Territory, now);
        if (upTo < today)
            upTo = today;
        var start = await NextPeriodStartAsync(jurisdiction, upTo, months, cancellationToken);
        return await StageAsync(jurisdiction, start, upTo, trigger, now, cancellationToken);
    }

    /// <summary>
    /// Where the next report's period starts: the day after the jurisdiction's last report (the same
    /// day if that report already reached it), or the first day of the period containing <paramref name="upTo"/>.
    /// </summary>
    public async Task<DateOnly> NextPeriodStartAsync(
        Jurisdiction jurisdiction,
        DateOnly upTo,
        int months,
        CancellationToken cancellationToken
    )
    {
        var last = await db.Reports.Where(r => r.Jurisdiction == jurisdiction.Id).MaxAsync(r => (DateOnly?)r.PeriodEnd, cancellationToken);
        if (last is { } end)
            return end < upTo ? end.AddDays(1) : upTo;
        return ReportingDeadline.For(jurisdiction, upTo, months).PeriodStart;
    }
}

/// <summary>The report as the JAP and SPIP read it.</summary>
public sealed record ReportDocument(
    string Jurisdiction,
    string JurisdictionName,
    int Number,
    DateOnly PeriodStart,
    DateOnly PeriodEnd,
    string Trigger,
    DateTimeOffset IssuedAt,
    ReportFigures Figures,
    IReadOnlyList<ReportLine> Cases,
    int CoveredFacts
)
{
    public static ReportDocument Of(CourtReport report, Jurisdiction jurisdiction) =>
        new(
            report.Jurisdiction,
            jurisdiction.Name,
            report.Number,
            report.PeriodStart,
            report.PeriodEnd,
            ClosedList<ReportTrigger>.WordOf(report.Trigger),
            report.IssuedAt,
            report.Figures,
            report.Lines,
            report.CoveredFacts.Count
        );
}

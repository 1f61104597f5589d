using System.Data.Common;
using Coordination.Contracts.Supervision;
using Coordination.Contracts.Values;
using Coordination.CourtReporting.Application;
using Coordination.CourtReporting.Domain;
using Coordination.CourtReporting.Persistence;
using Coordination.ServiceDefaults.Persistence;
using Coordination.ServiceDefaults.Sealing;
using Coordination.ServiceDefaults.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Coordination.UnitTests.CourtReporting;

/// <summary>
/// What a report counts and marks (4°): every fact of its jurisdiction not yet reported up to the
/// period's end, once, whether it is stored or held by the unit of work that issues the report, and
/// no other. A fact another report claimed meanwhile fails the whole report, as a conflict.
/// </summary>
public sealed class CourtReportIssuerTests : IDisposable
{
    private static readonly DateOnly PeriodEnd = new(2026, 11, 30);
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Directory.CreateTempSubdirectory("coordination-issuer-").FullName;
    private readonly Jurisdiction _paris = DemoJurisdictions.Find("tj-paris")!;

    private SqliteCourtReportingDbContext Open(params IInterceptor[] interceptors) =>
        new(
            new DbContextOptionsBuilder<SqliteCourtReportingDbContext>()
                .UseSqlite($"Data Source={Path.Combine(_folder, "court-reporting.db")}")
                .AddInterceptors(interceptors)
                .Options
        );

    private CourtReportIssuer IssuerOn(CourtReportingDbContext db) => new(db, new SealingKeyStore(Path.Combine(_folder, "keys")));

    private static ReportableFact Fact(Guid caseId, string jurisdiction, FactKind kind, DateOnly on, Guid? reportId = null) =>
        new()
        {
            Id = Guid.NewGuid(),
            Kind = kind,
            CaseId = caseId,
            Jurisdiction = jurisdiction,
            On = on,
            Detail = kind == FactKind.Incident ? "absence" : null,
            Severity = kind == FactKind.Incident ? IncidentSeverity.Minor : null,
            ReportId = reportId,
        };

    private async Task<(Guid CaseId, Dictionary<string, ReportableFact> Facts)> SeedAsync()
    {
        await using var db = Open();
        await db.Database.MigrateAsync();
        var caseId = Guid.NewGuid();
        db.Cases.Add(
            new CasePicture
            {
                CaseId = caseId,
                Person = PersonRef.New(_paris.Territory),
                Territory = _paris.Territory,
                Jurisdiction = _paris.Id,
                ReleaseDate = new DateOnly(2026, 9, 1),
                MeasureEndsOn = new DateOnly(2027, 9, 1),
            }
        );
        var facts = new Dictionary<string, ReportableFact>
        {
            ["planned"] = Fact(caseId, _paris.Id, FactKind.ControlPlanned, new DateOnly(2026, 11, 2)),
            ["done"] = Fact(caseId, _paris.Id, FactKind.ControlDone, new DateOnly(2026, 11, 3)),
            ["incident"] = Fact(caseId, _paris.Id, FactKind.Incident, new DateOnly(2026, 11, 30)),
            ["after the period"] = Fact(caseId, _paris.Id, FactKind.ControlDone, new DateOnly(2026, 12, 1)),
            ["reported before"] = Fact(caseId, _paris.Id, FactKind.ControlMissed, new DateOnly(2026, 10, 3), Guid.NewGuid()),
            ["other jurisdiction"] = Fact(Guid.NewGuid(), "tj-bobigny", FactKind.ControlDone, new DateOnly(2026, 11, 3)),
            // Its case's opening has not arrived: the unit of work below places it.
            ["placed by the unit"] = Fact(caseId, "", FactKind.ControlMissed, new DateOnly(2026, 11, 4)),
        };
        db.Facts.AddRange(facts.Values);
        await db.SaveChangesAsync();
        return (caseId, facts);
    }

    [Fact]
    public async Task A_report_marks_each_unreported_fact_of_its_period_once_stored_or_held_by_its_unit_and_no_other()
    {
        var (caseId, seeded) = await SeedAsync();
        var added = Fact(caseId, _paris.Id, FactKind.Incident, new DateOnly(2026, 11, 29));

        await using var db = Open();
        var report = await db.InOneTransactionAsync(
            async () =>
            {
                // As an opening and a serious incident arrive in the unit that issues the report.
                var placed = await db.Facts.SingleAsync(f => f.Id == seeded["placed by the unit"].Id);
                placed.Jurisdiction = _paris.Id;
                db.Facts.Add(added);
                var staged = await IssuerOn(db)
                    .StageAsync(_paris, new DateOnly(2026, 11, 1), PeriodEnd, ReportTrigger.Periodic, Now, default);
                await db.SaveChangesAsync();
                return staged;
            },
            default
        );

        await using var check = Open();
        var marked = await check.Facts.Where(f => f.ReportId == report.Id).Select(f => f.Id).ToListAsync();
        Guid[] covered = [seeded["planned"].Id, seeded["done"].Id, seeded["incident"].Id, seeded["placed by the unit"].Id, added.Id];
        Assert.Equal(covered.Order(), marked.Order());
        Assert.Equal(5, report.CoveredFacts.Count);
        Assert.Equal(5, report.CoveredFacts.Distinct().Count());
        Assert.Equal(
            (1, 1, 1, 2),
            (report.Figures.ControlsPlanned, report.Figures.ControlsDone, report.Figures.ControlsMissed, report.Figures.Incidents)
        );
        foreach (var untouched in new[] { "after the period", "reported before", "other jurisdiction" })
            Assert.Equal(seeded[untouched].ReportId, (await check.Facts.SingleAsync(f => f.Id == seeded[untouched].Id)).ReportId);
        Assert.Equal(1, await check.Reports.CountAsync());
    }

    [Fact]
    public async Task A_report_staged_outside_a_transaction_is_refused_before_it_marks_anything()
    {
        var (_, seeded) = await SeedAsync();

        await using var db = Open();
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            IssuerOn(db).StageAsync(_paris, new DateOnly(2026, 11, 1), PeriodEnd, ReportTrigger.Periodic, Now, default)
        );

        Assert.Contains("inside the transaction", refused.Message);
        await using var check = Open();
        Assert.Equal(0, await check.Facts.CountAsync(f => f.ReportId != null && f.Id != seeded["reported before"].Id));
    }

    [Fact]
    public async Task A_fact_another_report_claimed_while_this_one_was_staged_fails_the_report_as_a_conflict_and_nothing_is_kept()
    {
        var (_, seeded) = await SeedAsync();
        var other = Guid.NewGuid();
        // SQLite's write lock makes the race impossible here; SQL Server's read committed does not: another
        // report's mark lands between this report's read and its own mark.
        var race = new ClaimBeforeMarking(seeded["done"].Id, other);

        await using var db = Open(race);
        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() =>
            db.InOneTransactionAsync(
                async () =>
                {
                    await IssuerOn(db).StageAsync(_paris, new DateOnly(2026, 11, 1), PeriodEnd, ReportTrigger.Periodic, Now, default);
                    await db.SaveChangesAsync();
                },
                default
            )
        );

        Assert.True(race.Claimed);
        await using var check = Open();
        Assert.Equal(0, await check.Reports.CountAsync());
        // The claim ran in this transaction, so it went back with it; what matters is that this report kept nothing.
        Assert.Equal(0, await check.Facts.CountAsync(f => f.ReportId != null && f.Id != seeded["reported before"].Id));
    }

    /// <summary>
    /// Another report's mark of <paramref name="fact"/>, run in the same transaction just before this report's first mark.
    /// </summary>
    private sealed class ClaimBeforeMarking(Guid fact, Guid otherReport) : DbCommandInterceptor
    {
        public bool Claimed { get; private set; }

        public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
            DbCommand command,
            CommandEventData eventData,
            InterceptionResult<int> result,
            CancellationToken cancellationToken = default
        )
        {
            if (!Claimed && command.CommandText.StartsWith("UPDATE \"ReportableFacts\"", StringComparison.Ordinal))
            {
                Claimed = true;
                await using var claim = command.Connection!.CreateCommand();
                claim.Transaction = command.Transaction;
                claim.CommandText = "UPDATE \"ReportableFacts\" SET \"ReportId\" = $other WHERE \"Id\" = $fact";
                AddParameter(claim, "$other", otherReport.ToString().ToUpperInvariant());
                AddParameter(claim, "$fact", fact.ToString().ToUpperInvariant());
                Assert.Equal(1, await claim.ExecuteNonQueryAsync(cancellationToken));
            }
            return result;
        }

        private static void AddParameter(DbCommand command, string name, object value)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, true);
        }
        catch (IOException) { }
    }
}

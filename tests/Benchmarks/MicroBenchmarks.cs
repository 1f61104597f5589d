using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coordination.Contracts.Gateway;
using Coordination.Contracts.Supervision;
using Coordination.Contracts.Values;
using Coordination.CourtReporting.Application;
using Coordination.CourtReporting.Domain;
using Coordination.CourtReporting.Persistence;
using Coordination.Gateway.Application;
using Coordination.Gateway.Domain;
using Coordination.ServiceDefaults.Persistence;
using Coordination.ServiceDefaults.Sealing;
using Coordination.ServiceDefaults.Security;
using Microsoft.EntityFrameworkCore;

namespace Coordination.Benchmarks;

public sealed record MicroResult(
    IReadOnlyList<(int Kilobytes, double Microseconds)> Release,
    double CourtReportMs,
    int CourtReportCases,
    int CourtReportFacts
);

/// <summary>In-process timings of two pieces of domain work, each the median of several repetitions.</summary>
public static class MicroBenchmarks
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static MicroResult Run(BenchmarkOptions options)
    {
        var release = new[] { 1, 16, 64 }.Select(kb => (kb, ReleaseMicroseconds(kb, options.Quick ? 200 : 1000))).ToList();
        foreach (var (kb, us) in release)
            Console.WriteLine($"  release decision, {kb, 2} KB: {us:F0} µs ({us / kb:F1} µs/KB)");
        var (ms, cases, facts) = CourtReport(10_000, options.Quick ? 1 : 3).GetAwaiter().GetResult();
        Console.WriteLine($"  court report over {cases} cases ({facts} facts): {ms:F0} ms");
        return new MicroResult(release, ms, cases, facts);
    }

    /// <summary>
    /// One release as the gateway handles it, without the database: open the service's sealed payload,
    /// decide (release policy, then the sharing rules in force), compose what is granted, seal it for the recipient.
    /// </summary>
    private static double ReleaseMicroseconds(int kilobytes, int iterations)
    {
        var folder = Directory.CreateTempSubdirectory("coordination-benchmark-keys-").FullName;
        try
        {
            var keys = new SealingKeyStore(folder);
            var paris = TerritoryCode.Parse("75");
            var person = PersonRef.New(paris);
            var rules = SharingRulesVersion.Adopt(
                paris,
                1,
                DateTimeOffset.UnixEpoch,
                DateTimeOffset.UnixEpoch,
                "benchmark",
                ["wg"],
                DemoSharingRules.Rules.Select(r => new SharingRule(r.Category, r.Roles, r.Purpose, r.LegalBasis)).ToList()
            );
            var policy = ReleasePolicy.Load(null);
            var recipient = new Recipient("75-association", paris, RecipientRole.Association);
            var category = ClosedList<DataCategory>.WordOf(DataCategory.ControlPlan);
            var contents = new JsonObject { [category] = new string('p', kilobytes * 1024) };
            var plaintext = JsonSerializer.SerializeToUtf8Bytes(contents, Json);
            var gateway = keys.CurrentKeyOf(KeyOwners.Gateway);
            var recipientKey = keys.CurrentKeyOf("75-association");
            using var ring = keys.RingFor(KeyOwners.Gateway);
            var releaseId = Guid.NewGuid();
            var request = new ReleaseConfidentialPayload
            {
                ReleaseId = releaseId,
                Territory = paris,
                Purpose = "community-supervision",
                Categories = [DataCategory.ControlPlan],
                Recipients = ["75-association"],
                Person = person,
                RequestedBy = "supervision",
                Payload = PayloadSealer.Seal(plaintext, gateway, "community-supervision", releaseId),
            };
            var designations = new Dictionary<PersonRef, string> { [person] = "tj-paris" };
            var assigned = new HashSet<string> { "75-association" };
            var today = DateOnly.FromDateTime(DateTime.UtcNow);

            void Once()
            {
                var opened = JsonNode.Parse(PayloadSealer.Open(request.Payload, ring, "community-supervision", releaseId))!.AsObject();
                var decision = ReleaseRequestDecider.Decide(
                    policy,
                    new ReleaseFacts("supervision", request, true, rules, today, designations, assigned),
                    recipient.Id,
                    recipient
                );
                if (!decision.Released)
                    throw new InvalidOperationException($"the benchmark's release was denied: {decision.ReasonCode}");
                var composed = ReleaseComposer.Compose(
                    decision.Granted,
                    opened,
                    person,
                    [],
                    new Dictionary<PersonRef, Coordination.Gateway.Domain.DesignationDetails>()
                );
                PayloadSealer.Seal(
                    JsonSerializer.SerializeToUtf8Bytes(composed.Contents, Json),
                    recipientKey,
                    "community-supervision",
                    Guid.NewGuid()
                );
            }

            for (var i = 0; i < Math.Min(100, iterations); i++)
                Once();
            var rounds = new List<double>();
            for (var round = 0; round < 5; round++)
            {
                var clock = Stopwatch.StartNew();
                for (var i = 0; i < iterations / 5; i++)
                    Once();
                rounds.Add(clock.Elapsed.TotalMicroseconds / (iterations / 5));
            }
            return rounds.Order().ElementAt(rounds.Count / 2);
        }
        finally
        {
            try
            {
                Directory.Delete(folder, true);
            }
            catch (IOException) { }
        }
    }

    /// <summary>
    /// A periodic report of one jurisdiction over <paramref name="caseCount"/> open cases with three facts
    /// each, as the issuer stages it and its caller commits it, on a SQLite file; median of the repetitions.
    /// </summary>
    private static async Task<(double Ms, int Cases, int Facts)> CourtReport(int caseCount, int repetitions)
    {
        var times = new List<double>();
        var facts = 0;
        for (var repetition = 0; repetition < repetitions; repetition++)
        {
            var folder = Directory.CreateTempSubdirectory("coordination-benchmark-report-").FullName;
            try
            {
                var jurisdiction = DemoJurisdictions.Find("tj-paris")!;
                var options = new DbContextOptionsBuilder<SqliteCourtReportingDbContext>()
                    .UseSqlite($"Data Source={Path.Combine(folder, "court-reporting.db")}")
                    .Options;
                await using (var seed = new SqliteCourtReportingDbContext(options))
                {
                    await seed.Database.MigrateAsync();
                    var on = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(-3));
                    for (var i = 0; i < caseCount; i++)
                    {
                        var caseId = Guid.NewGuid();
                        seed.Cases.Add(
                            new CasePicture
                            {
                                CaseId = caseId,
                                Person = PersonRef.New(jurisdiction.Territory),
                                Territory = jurisdiction.Territory,
                                Jurisdiction = jurisdiction.Id,
                                ReleaseDate = on.AddDays(-30),
                                MeasureEndsOn = on.AddDays(300),
                                Partners = [new PartnerInPlace("75-police", PartnerRole.StateService)],
                            }
                        );
                        foreach (var kind in new[] { FactKind.ControlPlanned, FactKind.ControlDone, FactKind.Incident })
                            seed.Facts.Add(
                                new ReportableFact
                                {
                                    Id = Guid.NewGuid(),
                                    Kind = kind,
                                    CaseId = caseId,
                                    Jurisdiction = jurisdiction.Id,
                                    On = on,
                                    Detail = kind == FactKind.Incident ? "absence" : null,
                                    Severity = kind == FactKind.Incident ? IncidentSeverity.Minor : null,
                                }
                            );
                    }
                    await seed.SaveChangesAsync();
                    facts = caseCount * 3;
                }
                await using var db = new SqliteCourtReportingDbContext(options);
                var keys = new SealingKeyStore(Path.Combine(folder, "keys"));
                var clock = Stopwatch.StartNew();
                var today = DateOnly.FromDateTime(DateTime.UtcNow);
                // As the schedule issues it: staged and committed in one transaction.
                await db.InOneTransactionAsync(
                    async () =>
                    {
                        await new CourtReportIssuer(db, keys).StageAsync(
                            jurisdiction,
                            today.AddMonths(-1),
                            today,
                            ReportTrigger.Periodic,
                            DateTimeOffset.UtcNow,
                            CancellationToken.None
                        );
                        await db.SaveChangesAsync();
                    },
                    CancellationToken.None
                );
                var covered = await db.Facts.CountAsync(f => f.ReportId != null);
                if (covered != caseCount * 3)
                    throw new InvalidOperationException($"the report covered {covered} facts of {caseCount * 3}");
                times.Add(clock.Elapsed.TotalMilliseconds);
            }
            finally
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                try
                {
                    Directory.Delete(folder, true);
                }
                catch (IOException) { }
            }
        }
        return (times.Order().ElementAt(times.Count / 2), caseCount, facts);
    }
}

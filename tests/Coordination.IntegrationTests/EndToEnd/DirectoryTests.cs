using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coordination.Contracts.Gateway;
using Coordination.Contracts.Values;
using Coordination.Gateway.Application;
using Coordination.Gateway.Domain;
using Coordination.Gateway.Persistence;
using Coordination.IntegrationTests.Support;
using Coordination.ServiceDefaults.Sealing;
using Coordination.ServiceDefaults.Security;
using Coordination.Testing;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using static Coordination.Testing.RejectionAssertions;

namespace Coordination.IntegrationTests.EndToEnd;

/// <summary>
/// The directory as data (ADR 16): the CDPD secretariat registers and retires agencies, jurisdictions and
/// partners through the gateway; the door, the release decisions, Supervision's partner list and the
/// broker definitions follow what it holds, and a retired agency receives nothing from then on.
/// </summary>
public sealed class DirectoryTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Canary = "CANARY-Jondrette";
    private ServiceHost _host = null!;

    public async Task InitializeAsync() => _host = await ServiceHost.StartAllInOneAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private HttpClient Secretariat75() => _host.ClientFor(DemoPrincipals.Named("secretariat-75"));

    private static StringContent Example(string name) =>
        new(File.ReadAllText(Repository.File("docs", "examples", "directory", $"{name}.json")), Encoding.UTF8, "application/json");

    [Fact]
    public async Task Each_documented_example_registers_its_entry_and_each_change_is_in_the_audit_chain()
    {
        var started = DateTime.UtcNow;
        using var secretariat = Secretariat75();
        var agency = await secretariat.PostAsync("/directory/agencies", Example("register-agency"));
        Assert.Equal(HttpStatusCode.Created, agency.StatusCode);
        var registered = await agency.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(
            ("75-mission-locale", "association"),
            (registered.GetProperty("account").GetString(), registered.GetProperty("role").GetString())
        );
        Assert.Equal(HttpStatusCode.Created, (await secretariat.PostAsync("/directory/partners", Example("register-partner"))).StatusCode);
        Assert.Equal(
            HttpStatusCode.Created,
            (await secretariat.PostAsync("/directory/jurisdictions", Example("register-jurisdiction"))).StatusCode
        );

        // The same again is a conflict, not a second entry.
        await AssertProblemAsync(
            await secretariat.PostAsync("/directory/agencies", Example("register-agency")),
            HttpStatusCode.Conflict,
            "already-registered"
        );

        var agencies = (await secretariat.GetFromJsonAsync<JsonElement[]>("/directory/agencies"))!;
        Assert.Contains(
            agencies,
            a => a.GetProperty("account").GetString() == "75-mission-locale" && a.GetProperty("retiredAt").ValueKind == JsonValueKind.Null
        );
        Assert.DoesNotContain(agencies, a => a.GetProperty("account").GetString()!.StartsWith("93-", StringComparison.Ordinal));
        Assert.Contains(
            (await secretariat.GetFromJsonAsync<JsonElement[]>("/directory/jurisdictions"))!,
            j => j.GetProperty("id").GetString() == "tj-paris-sud"
        );

        // Supervision's list of partners follows the directory: the new partner can be assigned.
        await Poller.UntilAsync(
            async () =>
                (await secretariat.GetFromJsonAsync<JsonElement[]>("/supervision/partners"))!.Any(p =>
                    p.GetProperty("id").GetString() == "75-mission-locale"
                ),
            "Supervision to learn of the partner"
        );

        // Retirements, each answered with the entry as it now stands.
        Assert.Equal(HttpStatusCode.OK, (await secretariat.PostAsync("/directory/jurisdictions/tj-paris-sud/retirement", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await secretariat.PostAsync("/directory/agencies/75-mission-locale/retirement", null)).StatusCode);
        await AssertProblemAsync(
            await secretariat.PostAsync("/directory/agencies/75-mission-locale/retirement", null),
            HttpStatusCode.Conflict,
            "already-retired"
        );
        // Retiring the agency retired its partner entry, in Supervision too.
        await Poller.UntilAsync(
            async () =>
                !(await secretariat.GetFromJsonAsync<JsonElement[]>("/supervision/partners"))!.Any(p =>
                    p.GetProperty("id").GetString() == "75-mission-locale"
                ),
            "Supervision to drop the retired partner"
        );

        using var auditor = _host.ClientFor(DemoPrincipals.Named("auditor"));
        var changes = (await auditor.GetFromJsonAsync<JsonElement[]>("/audit?limit=1000"))!
            .Where(e =>
                e.GetProperty("kind").GetString() is "directory-registered" or "directory-retired"
                && e.GetProperty("source").GetString() != "demo-seed"
            )
            .Select(e => (e.GetProperty("kind").GetString(), e.GetProperty("references").GetString()!.Split(',')[0]))
            .ToList();
        Assert.Equal(
            [
                ("directory-registered", "agency:75-mission-locale"),
                ("directory-registered", "partner:75-mission-locale"),
                ("directory-registered", "jurisdiction:tj-paris-sud"),
                ("directory-retired", "jurisdiction:tj-paris-sud"),
                ("directory-retired", "agency:75-mission-locale"),
                ("directory-retired", "partner:75-mission-locale"),
            ],
            changes
        );
        Assert.True((await auditor.GetFromJsonAsync<JsonElement>("/audit/verify")).GetProperty("intact").GetBoolean());
        output.WriteLine($"register, retire and audit: {(DateTime.UtcNow - started).TotalMilliseconds:F0} ms");

        // The published OpenAPI document carries each body's schema.
        using var anonymous = _host.ClientFor(null);
        var openApi = await anonymous.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = openApi.GetProperty("paths");
        foreach (var path in new[] { "/directory/agencies", "/directory/jurisdictions", "/directory/partners" })
            Assert.True(paths.GetProperty(path).GetProperty("post").TryGetProperty("requestBody", out _), $"{path} documents its body");
        Assert.True(paths.TryGetProperty("/persons/{person}/file", out _));
        var schemas = openApi.GetProperty("components").GetProperty("schemas");
        Assert.True(schemas.TryGetProperty(nameof(Coordination.Gateway.Api.RegisterAgencyRequest), out _));
    }

    [Fact]
    public async Task Bad_input_is_answered_field_by_field_and_only_the_secretariat_of_the_territory_may_change_it()
    {
        using var secretariat = Secretariat75();
        var bad = await secretariat.PostAsJsonAsync(
            "/directory/agencies",
            new
            {
                account = "75-../x",
                role = "auditor",
                territories = new[] { "99" },
                name = "",
            }
        );
        await bad.Content.LoadIntoBufferAsync();
        await AssertProblemAsync(bad, HttpStatusCode.BadRequest, "invalid-agency-id");
        var errors = JsonDocument.Parse(await bad.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        Assert.Equal(["account", "name", "role", "territories"], errors.EnumerateObject().Select(p => p.Name).Order());
        await AssertProblemAsync(
            await secretariat.PostAsJsonAsync(
                "/directory/agencies",
                new
                {
                    account = "75-foyer",
                    role = "association",
                    territories = new[] { "93" },
                    name = "Foyer",
                }
            ),
            HttpStatusCode.BadRequest,
            "invalid-field"
        );
        await AssertProblemAsync(
            await secretariat.PostAsync("/directory/agencies", new StringContent("{", Encoding.UTF8, "application/json")),
            HttpStatusCode.BadRequest,
            "malformed-message"
        );
        // A jurisdiction's JAP and SPIP are active agencies of its territory in those roles: a report goes to them only.
        await AssertProblemAsync(
            await secretariat.PostAsJsonAsync(
                "/directory/jurisdictions",
                new
                {
                    id = "tj-x",
                    name = "TJ",
                    territory = "75",
                    sentenceEnforcementCourt = "75-police",
                    probationService = "93-spip",
                }
            ),
            HttpStatusCode.BadRequest,
            "unknown-agency"
        );
        // A name longer than its column is refused before anything is written.
        await AssertProblemAsync(
            await secretariat.PostAsJsonAsync(
                "/directory/partners",
                new
                {
                    id = "75-association",
                    role = "association",
                    name = new string('x', 201),
                }
            ),
            HttpStatusCode.BadRequest,
            "invalid-field"
        );
        await AssertProblemAsync(
            await secretariat.PostAsync("/directory/agencies/75-nobody/retirement", null),
            HttpStatusCode.NotFound,
            "unknown-entry"
        );

        var agency = new
        {
            account = "93-foyer",
            role = "association",
            territories = new[] { "93" },
            name = "Foyer",
        };
        Assert.Equal(HttpStatusCode.Forbidden, (await secretariat.PostAsJsonAsync("/directory/agencies", agency)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await secretariat.PostAsync("/directory/agencies/93-police/retirement", null)).StatusCode);
        foreach (var other in new[] { "security-staff-93", "operational-cell-93", "prosecutor-93", "auditor" })
        {
            using var client = _host.ClientFor(DemoPrincipals.Named(other));
            var answer = await client.PostAsJsonAsync("/directory/agencies", agency);
            Assert.Equal(HttpStatusCode.Forbidden, answer.StatusCode);
            Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        }
        using var anonymous = _host.ClientFor(null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/directory/export")).StatusCode);

        await using var scope = _host.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
        Assert.False(await db.Agencies.AnyAsync(a => a.Account == "93-foyer" || a.Account == "75-foyer"));
        Assert.False(await db.Jurisdictions.AnyAsync(j => j.Id == "tj-x"));
        Assert.Null(await db.Agencies.Where(a => a.Account == "93-police").Select(a => a.RetiredAt).SingleAsync());
    }

    [Fact]
    public async Task A_release_to_a_just_retired_agency_is_denied_recipient_retired_and_nothing_reaches_it()
    {
        var person = await DesignateAsync("tj-paris");
        await _host.AssignPartnerAsync(person, "75-association");
        await _host.AssignPartnerAsync(person, "75-prison-administration");
        using (var secretariat = Secretariat75())
            Assert.Equal(
                HttpStatusCode.OK,
                (await secretariat.PostAsync("/directory/agencies/75-association/retirement", null)).StatusCode
            );

        var keys = _host.App.Services.GetRequiredService<SealingKeyStore>();
        var messageId = NewId.NextGuid();
        var request = new ReleaseConfidentialPayload
        {
            ReleaseId = Guid.NewGuid(),
            Territory = TerritoryCode.Parse("75"),
            Purpose = "community-supervision",
            Categories = [DataCategory.ControlPlan],
            Recipients = ["75-association", "75-prison-administration"],
            Person = person,
            Payload = PayloadSealer.Seal(
                Encoding.UTF8.GetBytes("""{"control-plan":[]}"""),
                keys.CurrentKeyOf("gateway"),
                "community-supervision",
                messageId
            ),
        };
        await _host.SendReleaseRequestAsync("supervision", request, messageId);

        using var auditor = _host.ClientFor(DemoPrincipals.Named("auditor"));
        JsonElement[] decisions = [];
        await Poller.UntilAsync(
            async () =>
            {
                decisions = (await auditor.GetFromJsonAsync<JsonElement[]>("/audit?limit=1000"))!
                    .Where(e => e.GetProperty("references").GetString()!.Contains($"release:{request.ReleaseId}"))
                    .ToArray();
                return decisions.Length == 2;
            },
            "both decisions on the release"
        );
        Assert.Equal(
            [("75-association", "denied", "recipient-retired"), ("75-prison-administration", "released", "granted")],
            decisions
                .Select(e =>
                    (e.GetProperty("recipient").GetString(), e.GetProperty("outcome").GetString(), e.GetProperty("reason").GetString())
                )
                .OrderBy(d => d.Item1)
        );

        await using var scope = _host.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
        Assert.Equal(0, await db.Set<AgencyDelivery>().CountAsync(d => d.Agency == "75-association"));
        Assert.Equal(1, await db.Set<AgencyDelivery>().CountAsync(d => d.Agency == "75-prison-administration"));
        // Its token may still be valid for a while: its mailbox and the door are closed to it.
        using var retired = _host.ClientFor(DemoPrincipals.Named("association-75"));
        Assert.Equal(HttpStatusCode.Forbidden, (await retired.GetAsync("/egress/inbox")).StatusCode);
        var control = IngressOverHttpTests.Example("supervision.record-control");
        control["messageId"] = Guid.NewGuid().ToString();
        control["payload"]!["personRef"] = person.Value;
        await AssertProblemAsync(
            await AgencyClient.PostAsync(retired, "supervision.record-control", control.ToJsonString()),
            HttpStatusCode.Forbidden,
            "unidentified-source"
        );
    }

    [Fact]
    public async Task A_designation_names_a_jurisdiction_of_the_directory_as_it_stands()
    {
        using var secretariat = Secretariat75();
        Assert.Equal(
            HttpStatusCode.Created,
            (await secretariat.PostAsync("/directory/jurisdictions", Example("register-jurisdiction"))).StatusCode
        );
        await DesignateAsync("tj-paris-sud");

        Assert.Equal(HttpStatusCode.OK, (await secretariat.PostAsync("/directory/jurisdictions/tj-paris/retirement", null)).StatusCode);
        var refused = await PostDesignationAsync("tj-paris");
        await AssertProblemAsync(refused, HttpStatusCode.BadRequest, "unknown-jurisdiction");
    }

    [Fact]
    public async Task CourtReporting_reports_for_the_jurisdictions_of_the_directory_and_for_none_once_retired()
    {
        using var secretariat = Secretariat75();
        // The demo's jurisdiction of 75 reached CourtReporting as the directory's change, not from code.
        var known = (await secretariat.GetFromJsonAsync<JsonElement[]>("/court-reporting/jurisdictions"))!;
        Assert.Equal(["tj-paris"], known.Select(j => j.GetProperty("id").GetString()));

        Assert.Equal(
            HttpStatusCode.Created,
            (await secretariat.PostAsync("/directory/jurisdictions", Example("register-jurisdiction"))).StatusCode
        );
        await Poller.UntilAsync(
            async () =>
                (known = (await secretariat.GetFromJsonAsync<JsonElement[]>("/court-reporting/jurisdictions"))!).Any(j =>
                    j.GetProperty("id").GetString() == "tj-paris-sud"
                ),
            "CourtReporting to learn of the new jurisdiction"
        );
        var sud = known.Single(j => j.GetProperty("id").GetString() == "tj-paris-sud");
        Assert.Equal(
            ("75", "75-jap", "75-spip"),
            (
                sud.GetProperty("territory").GetString(),
                sud.GetProperty("sentenceEnforcementCourt").GetString(),
                sud.GetProperty("probationService").GetString()
            )
        );
        // Its first period's deadline came with it: the next periodic report is due at the end of this month.
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var nextEnd = DateOnly.Parse(sud.GetProperty("nextPeriodEnd").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(nextEnd, today.AddDays(-1), today.AddMonths(1));

        // A case of the new jurisdiction is in its picture, and a report issued now goes to its JAP and SPIP.
        var person = await DesignateAsync("tj-paris-sud");
        await Poller.UntilAsync(
            async () =>
                (await secretariat.GetFromJsonAsync<JsonElement>("/court-reporting/jurisdictions/tj-paris-sud"))
                    .GetProperty("openCases")
                    .EnumerateArray()
                    .Any(c => c.GetProperty("person").GetString() == person.Value),
            "the case in tj-paris-sud's picture"
        );
        Assert.Equal(
            HttpStatusCode.Created,
            (await secretariat.PostAsync("/court-reporting/jurisdictions/tj-paris-sud/reports", null)).StatusCode
        );
        await Poller.UntilAsync(
            async () =>
                (await secretariat.GetFromJsonAsync<JsonElement>("/court-reporting/reports/tj-paris-sud/1"))
                    .GetProperty("status")
                    .GetString() == "released",
            "report 1 of tj-paris-sud released"
        );

        // Retired: no deadline is left for it and no report can be issued; what was issued stays readable.
        Assert.Equal(HttpStatusCode.OK, (await secretariat.PostAsync("/directory/jurisdictions/tj-paris-sud/retirement", null)).StatusCode);
        await Poller.UntilAsync(
            async () =>
                !(await secretariat.GetFromJsonAsync<JsonElement[]>("/court-reporting/jurisdictions"))!.Any(j =>
                    j.GetProperty("id").GetString() == "tj-paris-sud"
                ),
            "CourtReporting to drop the retired jurisdiction"
        );
        Assert.Equal(
            HttpStatusCode.Forbidden,
            (await secretariat.PostAsync("/court-reporting/jurisdictions/tj-paris-sud/reports", null)).StatusCode
        );
        Assert.Equal(HttpStatusCode.OK, (await secretariat.GetAsync("/court-reporting/reports/tj-paris-sud/1")).StatusCode);
        await using var scope = _host.App.Services.CreateAsyncScope();
        var courtReporting = scope.ServiceProvider.GetRequiredService<Coordination.CourtReporting.Persistence.CourtReportingDbContext>();
        Assert.False(await courtReporting.Deadlines.AnyAsync(d => d.Jurisdiction == "tj-paris-sud" && d.FiredAt == null));
        Assert.True(await courtReporting.Deadlines.AnyAsync(d => d.Jurisdiction == "tj-paris" && d.FiredAt == null));
    }

    [Fact]
    public async Task The_broker_accounts_of_new_agencies_come_from_the_directory_export()
    {
        using var secretariat = Secretariat75();
        Assert.Equal(HttpStatusCode.Created, (await secretariat.PostAsync("/directory/agencies", Example("register-agency"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await secretariat.PostAsync("/directory/agencies/75-police/retirement", null)).StatusCode);
        // The operator who runs the generator acts for every territory the broker serves.
        var export = await _host.Http.GetStringAsync("/directory/export");
        Assert.DoesNotContain("PUBLIC KEY", export);

        var folder = Directory.CreateTempSubdirectory("coordination-directory-").FullName;
        try
        {
            var file = Path.Combine(folder, "export.json");
            await File.WriteAllTextAsync(file, export);
            var (exit, error) = await GenerateAsync(folder, file);
            Assert.True(exit == 0, error);
            using var definitions = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "definitions.json")));
            var users = definitions
                .RootElement.GetProperty("users")
                .EnumerateArray()
                .Select(u => u.GetProperty("name").GetString())
                .ToHashSet();
            Assert.Contains("75-mission-locale", users);
            Assert.DoesNotContain("75-police", users);
            Assert.Contains("93-police", users);
            var queues = definitions
                .RootElement.GetProperty("queues")
                .EnumerateArray()
                .Select(q => q.GetProperty("name").GetString())
                .ToHashSet();
            Assert.Contains("agency.75-mission-locale.inbox", queues);
            Assert.Contains("agency.75-mission-locale.rejected", queues);
            var permission = definitions
                .RootElement.GetProperty("permissions")
                .EnumerateArray()
                .Single(p => p.GetProperty("user").GetString() == "75-mission-locale");
            Assert.Equal(@"^agency\.75-mission-locale\.(inbox|rejected)$", permission.GetProperty("read").GetString());

            // An export holding an account outside the agency id rule writes nothing.
            var forged = JsonNode.Parse(export)!;
            forged["agencies"]!
                .AsArray()
                .Add(
                    new JsonObject
                    {
                        ["account"] = "75-x.inbox",
                        ["role"] = "association",
                        ["territories"] = new JsonArray("75"),
                    }
                );
            await File.WriteAllTextAsync(file, forged.ToJsonString());
            File.Delete(Path.Combine(folder, "definitions.json"));
            Assert.NotEqual(0, (await GenerateAsync(folder, file)).Exit);
            Assert.False(File.Exists(Path.Combine(folder, "definitions.json")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<(int Exit, string Error)> GenerateAsync(string folder, string export)
    {
        var start = new System.Diagnostics.ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (
            var argument in new[]
            {
                Repository.File("infra", "rabbitmq", "generate-definitions.py"),
                "--out",
                folder,
                "--directory",
                export,
            }
        )
            start.ArgumentList.Add(argument);
        using var process = System.Diagnostics.Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await error);
    }

    private async Task<HttpResponseMessage> PostDesignationAsync(string jurisdiction)
    {
        var designation = IngressOverHttpTests.Example("supervision.designate-person");
        designation["messageId"] = Guid.NewGuid().ToString();
        designation["payload"]!["identity"]!["lastName"] = $"{Canary}-{Guid.NewGuid():N}";
        designation["payload"]!["sentenceEnforcementJurisdiction"] = jurisdiction;
        using var jap = _host.ClientFor(DemoPrincipals.Named("jap-75"));
        return await AgencyClient.PostAsync(jap, "supervision.designate-person", designation.ToJsonString());
    }

    private async Task<PersonRef> DesignateAsync(string jurisdiction)
    {
        var answer = await PostDesignationAsync(jurisdiction);
        Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
        await using var scope = _host.App.Services.CreateAsyncScope();
        var vault = scope.ServiceProvider.GetRequiredService<GatewayDbContext>().Vault;
        return (await vault.OrderByDescending(v => v.DesignatedAt).FirstAsync()).Person;
    }
}

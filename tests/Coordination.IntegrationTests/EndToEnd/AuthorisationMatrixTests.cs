using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Coordination.Briefings.Api;
using Coordination.IntegrationTests.Support;
using Coordination.ServiceDefaults.Security;
using Coordination.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.IdentityModel.Tokens;

namespace Coordination.IntegrationTests.EndToEnd;

public sealed class AllInOneFixture : IAsyncLifetime
{
    public ServiceHost Host { get; private set; } = null!;
    public Guid ParisBriefing { get; private set; }
    public Guid ParisReview { get; private set; }

    public async Task InitializeAsync()
    {
        Host = await ServiceHost.StartAllInOneAsync();
        var created = await Host.Http.PostAsync("/briefings", AuthorisationMatrixTests.Body("75"));
        created.EnsureSuccessStatusCode();
        ParisBriefing = (await created.Content.ReadFromJsonAsync<BriefingView>())!.Id;
        var review = await Host.Http.PostAsync(
            "/opinions/reviews",
            new StringContent(
                """{"territory":"75","measure":"mediation","periodStart":"2025-01-01","periodEnd":"2025-12-31","""
                    + $$"""
                    "respondBy":"{{DateTime.UtcNow.AddDays(60):yyyy-MM-dd}}"}
                    """,
                Encoding.UTF8,
                "application/json"
            )
        );
        review.EnsureSuccessStatusCode();
        ParisReview = (await review.Content.ReadFromJsonAsync<Coordination.Opinions.Api.ReviewView>())!.Id;
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

/// <summary>Every endpoint × every kind of caller: who gets 200, 401 or 403.</summary>
public sealed class AuthorisationMatrixTests(AllInOneFixture fixture) : IClassFixture<AllInOneFixture>
{
    public static StringContent Body(string territory) =>
        new(
            $$"""
            {"territory":"{{territory}}","briefedOn":"2026-02-10","prosecutorOffice":"Parquet",
             "priorityThemes":["road-safety"],"summary":"Réunion annuelle."}
            """,
            Encoding.UTF8,
            "application/json"
        );

    private const int Created = 201,
        Ok = 200,
        Unauthorized = 401,
        Forbidden = 403;

    /// <summary>Each caller, with the answer expected from the Paris (75) endpoints.</summary>
    public static TheoryData<string, int> Callers() =>
        new()
        {
            { "anonymous", Unauthorized },
            { "expired:secretariat-75", Unauthorized },
            { "foreign-key:secretariat-75", Unauthorized },
            { "wrong-audience:secretariat-75", Unauthorized },
            { "secretariat-75", Ok },
            { "security-staff-75", Ok },
            { "operational-cell-75", Ok },
            { "secretariat-93", Forbidden },
            { "operational-cell-93", Forbidden },
            { "prosecutor-75", Forbidden },
            { "jap-75", Forbidden },
            { "spip-75", Forbidden },
            { "association-75", Forbidden },
            { "auditor", Forbidden },
        };

    [Theory]
    [MemberData(nameof(Callers))]
    public async Task Paris_records_answer_each_caller_as_its_role_and_territories_allow(string caller, int expected)
    {
        using var client = fixture.Host.ClientWithToken(Token(caller));
        var id = fixture.ParisBriefing;
        var answers = new Dictionary<string, HttpResponseMessage>
        {
            ["POST /briefings (75)"] = await client.PostAsync("/briefings", Body("75")),
            ["GET /briefings?territory=75"] = await client.GetAsync("/briefings?territory=75"),
            ["GET /briefings/{id of 75}"] = await client.GetAsync($"/briefings/{id}"),
            ["GET /briefings/compliance/2026/75"] = await client.GetAsync("/briefings/compliance/2026/75"),
            ["GET /opinions/reviews?territory=75"] = await client.GetAsync("/opinions/reviews?territory=75"),
            ["GET /opinions/reviews/{id of 75}"] = await client.GetAsync($"/opinions/reviews/{fixture.ParisReview}"),
            ["GET /opinions?territory=75"] = await client.GetAsync("/opinions?territory=75"),
        };
        var wrong = answers
            .Where(a =>
                (int)a.Value.StatusCode != (a.Key.StartsWith("POST", StringComparison.Ordinal) && expected == Ok ? Created : expected)
            )
            .Select(a => $"{a.Key}: {(int)a.Value.StatusCode}")
            .ToList();
        Assert.True(wrong.Count == 0, $"{caller}, expected {expected}: {string.Join("; ", wrong)}");

        foreach (var refused in answers.Values.Where(r => (int)r.StatusCode >= 400))
        {
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            var body = await refused.Content.ReadAsStringAsync();
            Assert.DoesNotContain(id.ToString(), body);
        }
    }

    /// <summary>Each caller, with the answers expected from the gateway's endpoints for Paris.</summary>
    public static TheoryData<string, int, int, int> GatewayCallers() =>
        new()
        {
            // caller, read the rules of 75 (and their history), adopt rules for 75, read and verify the audit log
            { "anonymous", Unauthorized, Unauthorized, Unauthorized },
            { "expired:auditor", Unauthorized, Unauthorized, Unauthorized },
            { "foreign-key:secretariat-75", Unauthorized, Unauthorized, Unauthorized },
            { "wrong-audience:auditor", Unauthorized, Unauthorized, Unauthorized },
            { "secretariat-75", Ok, Created, Forbidden },
            { "security-staff-75", Ok, Forbidden, Forbidden },
            { "operational-cell-75", Ok, Forbidden, Forbidden },
            { "secretariat-93", Forbidden, Forbidden, Forbidden },
            { "prosecutor-75", Forbidden, Forbidden, Forbidden },
            { "jap-75", Forbidden, Forbidden, Forbidden },
            { "police-75", Forbidden, Forbidden, Forbidden },
            { "auditor", Forbidden, Forbidden, Ok },
        };

    [Theory]
    [MemberData(nameof(GatewayCallers))]
    public async Task Gateway_endpoints_answer_each_caller_as_its_role_and_territories_allow(
        string caller,
        int readRules,
        int adoptRules,
        int readAudit
    )
    {
        using var client = fixture.Host.ClientWithToken(Token(caller));
        var rules = new StringContent(
            """
            {"proposedBy":["wg"],"rules":[{"category":"court-report","roles":["probation-service"],"purpose":"court-reporting"}]}
            """,
            Encoding.UTF8,
            "application/json"
        );
        var answers = new (string Call, int Expected, HttpResponseMessage Answer)[]
        {
            ("GET /sharing-rules/75", readRules, await client.GetAsync("/sharing-rules/75")),
            ("GET /sharing-rules/75/history", readRules, await client.GetAsync("/sharing-rules/75/history")),
            ("POST /sharing-rules/75", adoptRules, await client.PostAsync("/sharing-rules/75", rules)),
            ("GET /audit", readAudit, await client.GetAsync("/audit")),
            ("GET /audit/verify", readAudit, await client.GetAsync("/audit/verify")),
        };
        var wrong = answers
            .Where(a => (int)a.Answer.StatusCode != a.Expected)
            .Select(a => $"{a.Call}: {(int)a.Answer.StatusCode} not {a.Expected}")
            .ToList();
        Assert.True(wrong.Count == 0, $"{caller}: {string.Join("; ", wrong)}");
        Assert.All(
            answers.Where(a => (int)a.Answer.StatusCode >= 400),
            a => Assert.Equal("application/problem+json", a.Answer.Content.Headers.ContentType?.MediaType)
        );
    }

    /// <summary>Each caller at the doors: the agencies' ingress and mailbox, and the operators' supervision cases.</summary>
    public static TheoryData<string, int, int, int, int> FollowUpCallers() =>
        new()
        {
            // caller, GET /court-reporting/reports?jurisdiction=tj-paris, GET /court-reporting/jurisdictions/tj-paris, POST
            // /directory/agencies (75), GET /supervision/partners
            { "anonymous", Unauthorized, Unauthorized, Unauthorized, Unauthorized },
            { "expired:secretariat-75", Unauthorized, Unauthorized, Unauthorized, Unauthorized },
            { "foreign-key:secretariat-75", Unauthorized, Unauthorized, Unauthorized, Unauthorized },
            { "secretariat-75", Ok, Ok, Created, Ok },
            { "operational-cell-75", Ok, Ok, Forbidden, Ok },
            { "secretariat-93", Forbidden, Forbidden, Forbidden, Ok },
            // The JAP and SPIP receive reports in their mailbox; they do not browse the platform.
            { "jap-75", Forbidden, Forbidden, Forbidden, Forbidden },
            { "association-75", Forbidden, Forbidden, Forbidden, Forbidden },
            { "auditor", Forbidden, Forbidden, Forbidden, Forbidden },
        };

    [Theory]
    [MemberData(nameof(FollowUpCallers))]
    public async Task Follow_up_and_report_endpoints_answer_each_caller_as_its_role_and_territories_allow(
        string caller,
        int reports,
        int picture,
        int register,
        int partners
    )
    {
        using var client = fixture.Host.ClientWithToken(Token(caller));
        var agency = new StringContent(
            $$"""{"account":"75-partner-{{Guid.NewGuid():N}}","role":"association","territories":["75"],"name":"Association"}""",
            Encoding.UTF8,
            "application/json"
        );
        var answers = new (string Call, int Expected, HttpResponseMessage Answer)[]
        {
            (
                "GET /court-reporting/reports?jurisdiction=tj-paris",
                reports,
                await client.GetAsync("/court-reporting/reports?jurisdiction=tj-paris")
            ),
            ("GET /court-reporting/jurisdictions/tj-paris", picture, await client.GetAsync("/court-reporting/jurisdictions/tj-paris")),
            ("POST /directory/agencies (75)", register, await client.PostAsync("/directory/agencies", agency)),
            ("GET /supervision/partners", partners, await client.GetAsync("/supervision/partners")),
        };
        var wrong = answers
            .Where(a => (int)a.Answer.StatusCode != a.Expected)
            .Select(a => $"{a.Call}: {(int)a.Answer.StatusCode} not {a.Expected}")
            .ToList();
        Assert.True(wrong.Count == 0, $"{caller}: {string.Join("; ", wrong)}");
        Assert.All(
            answers.Where(a => (int)a.Answer.StatusCode >= 400),
            a => Assert.Equal("application/problem+json", a.Answer.Content.Headers.ContentType?.MediaType)
        );
    }

    public static TheoryData<string, int, int, int> DoorCallers() =>
        new()
        {
            // caller, POST /ingress/briefings.record-briefing (75), GET /egress/inbox, GET /supervision/cases
            { "anonymous", Unauthorized, Unauthorized, Unauthorized },
            { "expired:prosecutor-75", Unauthorized, Unauthorized, Unauthorized },
            { "foreign-key:prosecutor-75", Unauthorized, Unauthorized, Unauthorized },
            { "wrong-audience:secretariat-75", Unauthorized, Unauthorized, Unauthorized },
            { "secretariat-75", Forbidden, Forbidden, Ok },
            { "operational-cell-93", Forbidden, Forbidden, Ok },
            { "prosecutor-75", Accepted, Ok, Forbidden },
            { "prosecutor-93", Forbidden, Ok, Forbidden },
            { "jap-75", Forbidden, Ok, Forbidden },
            { "association-75", Forbidden, Ok, Forbidden },
            { "auditor", Forbidden, Forbidden, Forbidden },
        };

    private const int Accepted = 202;

    [Theory]
    [MemberData(nameof(DoorCallers))]
    public async Task The_doors_answer_each_caller_as_its_kind_role_and_territories_allow(
        string caller,
        int ingress,
        int mailbox,
        int cases
    )
    {
        using var client = fixture.Host.ClientWithToken(Token(caller));
        var envelope =
            $$$"""
                {"messageId":"{{{Guid.NewGuid()}}}","type":"briefings.record-briefing","schemaVersion":1,
                """
            + """
                "territory":"75","occurredAt":"2026-02-10T10:00:00+01:00",
                 "payload":{"briefedOn":"2026-02-10","prosecutorOffice":"Parquet de Paris","priorityThemes":["road-safety"]
                """
            + ""","summary":"Porte d'entrée."}}""";
        var answers = new (string Call, int Expected, HttpResponseMessage Answer)[]
        {
            (
                "POST /ingress/briefings.record-briefing",
                ingress,
                await AgencyClient.PostAsync(client, "briefings.record-briefing", envelope)
            ),
            ("GET /egress/inbox", mailbox, await client.GetAsync("/egress/inbox")),
            ("GET /supervision/cases", cases, await client.GetAsync("/supervision/cases")),
        };
        var wrong = answers
            .Where(a => (int)a.Answer.StatusCode != a.Expected)
            .Select(a => $"{a.Call}: {(int)a.Answer.StatusCode} not {a.Expected}")
            .ToList();
        Assert.True(wrong.Count == 0, $"{caller}: {string.Join("; ", wrong)}");
        Assert.All(
            answers.Where(a => (int)a.Answer.StatusCode >= 400),
            a => Assert.Equal("application/problem+json", a.Answer.Content.Headers.ContentType?.MediaType)
        );
    }

    [Theory]
    [MemberData(nameof(Callers))]
    public async Task Health_and_the_api_description_are_open_to_all(string caller, int _)
    {
        using var client = fixture.Host.ClientWithToken(Token(caller));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/openapi/v1.json")).StatusCode);
    }

    [Fact]
    public async Task An_operator_of_93_sees_only_93_in_lists_and_compliance()
    {
        using var seineSaintDenis = fixture.Host.ClientWithToken(Token("secretariat-93"));
        Assert.Equal(HttpStatusCode.Created, (await seineSaintDenis.PostAsync("/briefings", Body("93"))).StatusCode);

        var listed = await seineSaintDenis.GetFromJsonAsync<List<BriefingView>>("/briefings");
        Assert.NotEmpty(listed!);
        Assert.All(listed!, b => Assert.Equal("93", b.Territory));
        var compliance = await seineSaintDenis.GetFromJsonAsync<JsonElement[]>("/briefings/compliance/2026");
        Assert.Equal(["93"], compliance!.Select(c => c.GetProperty("territory").GetString()));
    }

    [Fact]
    public async Task A_401_says_how_to_authenticate_and_a_403_does_not_say_whether_the_record_exists()
    {
        using var anonymous = fixture.Host.ClientWithToken(null);
        var unauthenticated = await anonymous.GetAsync("/briefings");
        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);
        Assert.Contains("Bearer", unauthenticated.Headers.WwwAuthenticate.ToString());

        using var seineSaintDenis = fixture.Host.ClientWithToken(Token("secretariat-93"));
        var existing = await seineSaintDenis.GetAsync($"/briefings/{fixture.ParisBriefing}");
        var missing = await seineSaintDenis.GetAsync($"/briefings/{Guid.NewGuid()}");
        Assert.Equal((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden), (existing.StatusCode, missing.StatusCode));
        Assert.Equal(Strip(await existing.Content.ReadAsStringAsync()), Strip(await missing.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task The_api_description_declares_the_bearer_scheme()
    {
        using var anonymous = fixture.Host.ClientWithToken(null);
        var document = await anonymous.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal(("http", "bearer"), (scheme.GetProperty("type").GetString(), scheme.GetProperty("scheme").GetString()));
        Assert.True(document.GetProperty("paths").TryGetProperty("/briefings", out _));
    }

    [Fact]
    public async Task The_development_token_command_issues_a_token_this_host_accepts()
    {
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Database:Directory"] = fixture.Host.Folder })
            .Build();
        var output = new StringWriter();
        Assert.Equal(0, DemoCommands.DevToken(["secretariat-93"], configuration, Development, output, TextWriter.Null));

        using var client = fixture.Host.ClientWithToken(output.ToString().Trim());
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync("/briefings", Body("93"))).StatusCode);

        var list = new StringWriter();
        Assert.Equal(0, DemoCommands.DevToken(["--list"], configuration, Development, list, TextWriter.Null));
        Assert.All(DemoPrincipals.All, p => Assert.Contains(p.Name, list.ToString()));
        Assert.Equal(2, DemoCommands.DevToken(["nobody-75"], configuration, Development, TextWriter.Null, TextWriter.Null));
    }

    private static readonly Microsoft.Extensions.Hosting.IHostEnvironment Development =
        new Microsoft.Extensions.Hosting.Internal.HostingEnvironment
        {
            EnvironmentName = Microsoft.Extensions.Hosting.Environments.Development,
        };

    private string? Token(string caller)
    {
        if (caller == "anonymous")
            return null;
        var (variant, name) = caller.Contains(':') ? (caller.Split(':')[0], caller.Split(':')[1]) : ("", caller);
        var principal = DemoPrincipals.Named(name);
        return variant switch
        {
            "expired" => fixture.Host.TokenFor(principal, lifetime: TimeSpan.FromMinutes(-10)),
            "wrong-audience" => fixture.Host.TokenFor(principal, audience: "another-platform"),
            "foreign-key" => DevelopmentTokens.Issue(
                principal,
                new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = "foreign" },
                new TokenOptions(),
                DateTimeOffset.UtcNow
            ),
            _ => fixture.Host.TokenFor(principal),
        };
    }

    private static string Strip(string problem) => System.Text.RegularExpressions.Regex.Replace(problem, "\"traceId\":\"[^\"]*\"", "");
}

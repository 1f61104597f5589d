using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Coordination.Gateway.Persistence;
using Coordination.IntegrationTests.Support;
using Coordination.ServiceDefaults.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Coordination.IntegrationTests.EndToEnd;

/// <summary>The règlement intérieur adopted through the API, its history, and the tamper-evident audit log.</summary>
public sealed class SharingRulesAndAuditTests : IAsyncLifetime
{
    private ServiceHost _host = null!;

    public async Task InitializeAsync() => _host = await ServiceHost.StartAllInOneAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private HttpClient As(string principal) => _host.ClientFor(DemoPrincipals.Named(principal));

    private static StringContent Rules(string inForceFrom) =>
        new(
            $$"""
            {"inForceFrom":"{{inForceFrom}}","proposedBy":["groupe de travail suivi des sortants"],
             "rules":[{"category":"contact-details","roles":["association","local-authority"],"purpose":"community-supervision",
                       "legalBasis":"CSI L132-10-1 I 3°"},
                      {"category":"court-report","roles":["sentence-enforcement-court","probation-service"],"purpose":"court-reporting"}]}
            """,
            Encoding.UTF8,
            "application/json"
        );

    [Fact]
    public async Task The_secretariat_adopts_a_new_version_and_the_version_in_force_at_any_instant_is_queryable()
    {
        using var secretariat = As("secretariat-75");
        var seeded = await secretariat.GetFromJsonAsync<JsonElement>("/sharing-rules/75");
        Assert.Equal((1, "demo-seed"), (seeded.GetProperty("version").GetInt32(), seeded.GetProperty("adoptedBy").GetString()));

        var adopted = await secretariat.PostAsync("/sharing-rules/75", Rules("2030-01-01T00:00:00Z"));
        Assert.Equal(HttpStatusCode.Created, adopted.StatusCode);
        var v2 = await adopted.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((2, "secretariat-75"), (v2.GetProperty("version").GetInt32(), v2.GetProperty("adoptedBy").GetString()));
        Assert.Equal("groupe de travail suivi des sortants", v2.GetProperty("proposedBy")[0].GetString());

        Assert.Equal(1, (await secretariat.GetFromJsonAsync<JsonElement>("/sharing-rules/75")).GetProperty("version").GetInt32());
        Assert.Equal(
            2,
            (await secretariat.GetFromJsonAsync<JsonElement>("/sharing-rules/75?at=2030-06-01T00:00:00Z")).GetProperty("version").GetInt32()
        );
        var history = await secretariat.GetFromJsonAsync<JsonElement[]>("/sharing-rules/75/history");
        Assert.Equal([1, 2], history!.Select(v => v.GetProperty("version").GetInt32()));

        var before = await secretariat.GetAsync("/sharing-rules/75?at=2000-01-01T00:00:00Z");
        Assert.Equal(HttpStatusCode.NotFound, before.StatusCode);
        Assert.Equal("no-rules-in-force", (await before.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reasonCode").GetString());
    }

    [Fact]
    public async Task Only_the_secretariat_of_the_territory_adopts_rules()
    {
        using var cell = As("operational-cell-75");
        using var otherSecretariat = As("secretariat-93");
        using var prosecutor = As("prosecutor-75");
        Assert.Equal(HttpStatusCode.Forbidden, (await cell.PostAsync("/sharing-rules/75", Rules("2030-01-01T00:00:00Z"))).StatusCode);
        Assert.Equal(
            HttpStatusCode.Forbidden,
            (await otherSecretariat.PostAsync("/sharing-rules/75", Rules("2030-01-01T00:00:00Z"))).StatusCode
        );
        Assert.Equal(HttpStatusCode.Forbidden, (await prosecutor.PostAsync("/sharing-rules/75", Rules("2030-01-01T00:00:00Z"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await otherSecretariat.GetAsync("/sharing-rules/75")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await cell.GetAsync("/sharing-rules/75")).StatusCode);
    }

    [Fact]
    public async Task Rules_outside_the_closed_lists_are_refused_and_nothing_is_adopted()
    {
        using var secretariat = As("secretariat-93");
        var refused = await secretariat.PostAsync(
            "/sharing-rules/93",
            new StringContent(
                """{"proposedBy":[],"rules":[{"category":"everything","roles":["journalist"],"purpose":"curiosity"}]}""",
                Encoding.UTF8,
                "application/json"
            )
        );
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var errors = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        foreach (var field in new[] { "proposedBy", "rules[0].category", "rules[0].roles", "rules[0].purpose" })
            Assert.True(errors.TryGetProperty(field, out _), field);
        Assert.Single(await secretariat.GetFromJsonAsync<JsonElement[]>("/sharing-rules/93/history") ?? []);
    }

    [Fact]
    public async Task The_audit_log_verifies_and_an_edited_row_is_named()
    {
        using var secretariat = As("secretariat-75");
        using var auditor = As("auditor");
        var seeded = await SeededEntriesAsync(auditor);
        Assert.Equal(HttpStatusCode.Created, (await secretariat.PostAsync("/sharing-rules/75", Rules("2031-01-01T00:00:00Z"))).StatusCode);
        var intact = await auditor.GetFromJsonAsync<JsonElement>("/audit/verify");
        Assert.True(intact.GetProperty("intact").GetBoolean());
        // The demo seed's registrations and rule adoptions, one entry each, and this adoption.
        Assert.Equal(seeded + 1, intact.GetProperty("entriesChecked").GetInt32());
        Assert.Equal(seeded + 1, intact.GetProperty("checkpointsChecked").GetInt32());
        Assert.Equal(HttpStatusCode.Forbidden, (await secretariat.GetAsync("/audit/verify")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await secretariat.GetAsync("/audit")).StatusCode);

        var entries = await auditor.GetFromJsonAsync<JsonElement[]>("/audit");
        var second = entries![1];
        using (var scope = _host.App.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
            await db.Database.ExecuteSqlRawAsync("UPDATE AuditLog SET Outcome = 'rejected' WHERE Sequence = 2");
        }

        var broken = await auditor.GetFromJsonAsync<JsonElement>("/audit/verify");
        Assert.False(broken.GetProperty("intact").GetBoolean());
        Assert.Equal(2, broken.GetProperty("firstBrokenSequence").GetInt64());
        Assert.Equal(second.GetProperty("decisionId").GetGuid(), broken.GetProperty("firstBrokenDecisionId").GetGuid());
        Assert.Equal("entry-altered", broken.GetProperty("problem").GetString());
    }

    [Fact]
    public async Task Cutting_the_audit_logs_tail_is_named_by_verify_as_truncated()
    {
        using var secretariat = As("secretariat-93");
        using var auditor = As("auditor");
        var last = await SeededEntriesAsync(auditor) + 1;
        Assert.Equal(HttpStatusCode.Created, (await secretariat.PostAsync("/sharing-rules/93", Rules("2031-01-01T00:00:00Z"))).StatusCode);
        var intact = await auditor.GetFromJsonAsync<JsonElement>("/audit/verify");
        Assert.Equal(last, intact.GetProperty("newestCheckpointSequence").GetInt64());

        // Whoever holds the gateway's database account removes the last decision: the chain that is left is a clean one.
        using (var scope = _host.App.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
            await db.Database.ExecuteSqlAsync($"DELETE FROM AuditLog WHERE Sequence = {last}");
        }

        var cut = await auditor.GetFromJsonAsync<JsonElement>("/audit/verify");
        Assert.False(cut.GetProperty("intact").GetBoolean());
        Assert.Equal("truncated", cut.GetProperty("problem").GetString());
        Assert.Equal(last, cut.GetProperty("firstBrokenSequence").GetInt64());
        Assert.Equal(last - 1, cut.GetProperty("entriesChecked").GetInt32());
    }

    /// <summary>
    /// What the demo seed wrote in the chain before the test (it registers through the APIs, each entry audited), all by <c>demo-seed</c>.
    /// </summary>
    private static async Task<int> SeededEntriesAsync(HttpClient auditor)
    {
        var entries = (await auditor.GetFromJsonAsync<JsonElement[]>("/audit?limit=1000"))!;
        Assert.All(entries, e => Assert.Equal(DemoPrincipals.Seeder.Name, e.GetProperty("source").GetString()));
        return entries.Length;
    }
}

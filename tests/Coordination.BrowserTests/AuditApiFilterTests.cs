using System.Net;
using System.Text.Json.Nodes;
using Coordination.BrowserTests.Support;

namespace Coordination.BrowserTests;

/// <summary>The audit log's filters, added to the gateway's API for the console's audit screen (auditors only).</summary>
public sealed class AuditApiFilterTests
{
    [Fact]
    public async Task Auditors_filter_entries_by_kind_source_and_dates()
    {
        await using var system = await ConsoleSystem.StartAsync();
        using var secretariat = system.ApiClientFor("secretariat-75");
        var adopted = await secretariat.PostAsync(
            "/sharing-rules/75",
            new StringContent(
                """{"proposedBy":["Groupe de travail"],"rules":["""
                    + """{"category":"incidents","roles":["association"],"purpose":"community-supervision"}]}""",
                System.Text.Encoding.UTF8,
                "application/json"
            )
        );
        Assert.Equal(HttpStatusCode.Created, adopted.StatusCode);

        using var auditor = system.ApiClientFor("auditor");
        var all = await EntriesAsync(auditor, "/audit?limit=1000");
        var rules = await EntriesAsync(auditor, "/audit?kind=rules-adopted");
        // The demo rules of 75 and 93, then version 2 of 75.
        Assert.Equal(3, rules.Count);
        Assert.All(rules, e => Assert.Equal("rules-adopted", (string?)e["kind"]));
        Assert.True(all.Count >= rules.Count);

        var bySecretariat = await EntriesAsync(auditor, "/audit?kind=rules-adopted&source=secretariat-75");
        Assert.Equal(2, Assert.Single(bySecretariat)["rulesVersion"]!.GetValue<int>());

        var now = DateTimeOffset.UtcNow;
        Assert.Equal(
            rules.Count,
            (await EntriesAsync(auditor, $"/audit?kind=rules-adopted&from={Uri.EscapeDataString(now.AddHours(-1).ToString("O"))}")).Count
        );
        Assert.Empty(await EntriesAsync(auditor, $"/audit?from={Uri.EscapeDataString(now.AddHours(1).ToString("O"))}"));
        Assert.Empty(await EntriesAsync(auditor, $"/audit?to={Uri.EscapeDataString(now.AddHours(-1).ToString("O"))}"));

        var unknown = await auditor.GetAsync("/audit?kind=everything");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal("invalid-field", (string?)JsonNode.Parse(await unknown.Content.ReadAsStringAsync())!["reasonCode"]);
        Assert.Equal(HttpStatusCode.Forbidden, (await secretariat.GetAsync("/audit?kind=rules-adopted")).StatusCode);
    }

    private static async Task<List<JsonNode>> EntriesAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (JsonNode.Parse(await response.Content.ReadAsStringAsync()) as JsonArray ?? []).OfType<JsonNode>().ToList();
    }
}

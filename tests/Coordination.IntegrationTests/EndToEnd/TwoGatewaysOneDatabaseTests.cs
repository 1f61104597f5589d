using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Coordination.Gateway.Persistence;
using Coordination.IntegrationTests.Support;
using Coordination.ServiceDefaults.Security;

namespace Coordination.IntegrationTests.EndToEnd;

/// <summary>Two gateway processes' hosts on one database, one key folder and one checkpoint folder: one chain, anchored by both.</summary>
public sealed class TwoGatewaysOneDatabaseTests : IAsyncLifetime
{
    private readonly string _folder = ServiceHost.NewFolder();
    private ServiceHost _first = null!;
    private ServiceHost _second = null!;

    public async Task InitializeAsync()
    {
        _first = await ServiceHost.StartGatewayInMemoryAsync(_folder, "--Audit:Instance=gateway-1");
        _second = await ServiceHost.StartGatewayInMemoryAsync(_folder, "--Audit:Instance=gateway-2");
    }

    public async Task DisposeAsync()
    {
        await _second.DisposeAsync();
        await _first.DisposeAsync();
        ServiceHost.DeleteFolder(_folder);
    }

    private static StringContent Rules() =>
        new(
            """
            {"proposedBy":["groupe de travail"],"rules":[
              {"category":"court-report","roles":["sentence-enforcement-court"],"purpose":"court-reporting"}]}
            """,
            Encoding.UTF8,
            "application/json"
        );

    [Fact]
    public async Task Adoptions_through_two_gateways_at_once_leave_one_chain_that_verifies_with_both_gateways_checkpoints()
    {
        const int each = 8;
        async Task AdoptAsync(ServiceHost gateway, string territory)
        {
            using var secretariat = gateway.ClientFor(DemoPrincipals.Named($"secretariat-{territory}"));
            for (var i = 0; i < each; i++)
                Assert.Equal(HttpStatusCode.Created, (await secretariat.PostAsync($"/sharing-rules/{territory}", Rules())).StatusCode);
        }
        await Task.WhenAll(AdoptAsync(_first, "75"), AdoptAsync(_second, "93"));

        // The demo seed's entries (seeded once, through the first to start; the second's seed finds it all there) and every
        // adoption, in one chain; each gateway's checkpoints verify under the shared key.
        var total = DemoSeed.FirstRunEntries + 2 * each;
        foreach (var gateway in new[] { _first, _second })
        {
            using var auditor = gateway.ClientFor(DemoPrincipals.Named("auditor"));
            var verification = await auditor.GetFromJsonAsync<JsonElement>("/audit/verify");
            Assert.True(verification.GetProperty("intact").GetBoolean(), verification.GetProperty("problem").GetString());
            Assert.Equal(
                (total, total, (long)total),
                (
                    verification.GetProperty("entriesChecked").GetInt32(),
                    verification.GetProperty("checkpointsChecked").GetInt32(),
                    verification.GetProperty("newestCheckpointSequence").GetInt64()
                )
            );
        }
        var writers = new AuditCheckpointStore(Path.Combine(_folder, "audit-checkpoints")).ReadAll().Select(c => c.Instance).ToHashSet();
        Assert.Superset(new HashSet<string> { "gateway-1", "gateway-2" }, writers);
    }
}

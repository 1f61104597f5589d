using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coordination.Contracts.Gateway;
using Coordination.Gateway.Application;
using Coordination.Gateway.Application.Ingress;
using Coordination.Gateway.Domain;
using Coordination.Gateway.Persistence;
using Coordination.IntegrationTests.Support;
using Coordination.ServiceDefaults.Outbox;
using Coordination.ServiceDefaults.Security;
using Coordination.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Coordination.IntegrationTests.EndToEnd;

/// <summary>
/// The AMQP door decides what is waiting in batches, one transaction and one checkpoint each: what an
/// agency and an auditor see must be what one message at a time gave. Two gateway hosts on one
/// database, key folder and checkpoint folder, as two gateway processes run; the broker is not needed
/// to decide a batch, so the deliveries are handed to the door's decider as the listener hands them.
/// </summary>
public sealed class IngressBatchTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Prosecutor = "75-prosecutor";
    private readonly string _folder = ServiceHost.NewFolder();
    private ServiceHost _first = null!;
    private ServiceHost _second = null!;
    private ulong _tag;

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

    [Fact]
    public async Task A_batch_holding_a_message_twice_forwards_it_once_and_every_decision_is_in_a_chain_that_verifies()
    {
        var envelopes = Enumerable.Range(0, 20).Select(_ => Briefing()).ToList();
        var batch = envelopes.Select(e => Delivery(Prosecutor, e)).ToList();
        batch.Insert(10, Delivery(Prosecutor, envelopes[3]));
        batch.Add(Delivery(Prosecutor, Briefing(e => e["territory"] = "2A"))); // refused: not the prosecutor's territory
        batch.Add(Delivery("no-such-agency", Briefing())); // refused: no one's account

        var (committed, failed) = await DecideAllAsync(_first, batch);

        Assert.Empty(failed);
        Assert.Equal(batch.Count, committed);
        await using var scope = _first.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
        var records = await db.IngressRecords.AsNoTracking().ToListAsync();
        Assert.Equal(20, records.Count(r => r.Accepted));
        Assert.Single(records, r => !r.Accepted);
        var forwarded = ServiceDbContextNames.TypeNameOf<Coordination.Contracts.Briefings.RecordPenalPolicyBriefing>();
        Assert.Equal(20, await db.OutboxMessages.CountAsync(m => m.MessageType == forwarded));
        Assert.Equal(1, await db.OutboxMessages.CountAsync(m => m.Body.Contains(envelopes[3]["payload"]!["summary"]!.GetValue<string>())));
        // Twenty accepted, two refused; the duplicate is answered from the first decision and not audited again.
        Assert.Equal(22, await db.Audit.CountAsync(a => a.Kind == AuditKind.IngressAccepted || a.Kind == AuditKind.IngressRejected));
        await AssertVerifies(_first);
    }

    [Fact]
    public async Task Batches_decided_at_once_by_two_gateways_and_decisions_over_http_leave_one_chain_that_verifies_on_both()
    {
        const int Batches = 6,
            PerBatch = 15;
        var started = System.Diagnostics.Stopwatch.StartNew();
        async Task DecideAsync(ServiceHost gateway)
        {
            for (var i = 0; i < Batches; i++)
            {
                var (committed, failed) = await DecideAllAsync(
                    gateway,
                    Enumerable.Range(0, PerBatch).Select(_ => Delivery(Prosecutor, Briefing())).ToList()
                );
                Assert.Empty(failed);
                Assert.Equal(PerBatch, committed);
            }
        }
        async Task OverHttpAsync(ServiceHost gateway)
        {
            using var agency = gateway.ClientFor(DemoPrincipals.Named("prosecutor-75"));
            for (var i = 0; i < 10; i++)
            {
                var response = await AgencyClient.PostAsync(agency, "briefings.record-briefing", Briefing().ToJsonString());
                Assert.True(response.IsSuccessStatusCode, $"HTTP ingress answered {(int)response.StatusCode}");
            }
        }
        await Task.WhenAll(DecideAsync(_first), DecideAsync(_second), OverHttpAsync(_first), OverHttpAsync(_second));
        output.WriteLine($"{2 * Batches * PerBatch} batched + 20 single decisions by two gateways in {started.ElapsedMilliseconds} ms");

        await using var scope = _first.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
        Assert.Equal(2 * Batches * PerBatch + 20, await db.IngressRecords.CountAsync(r => r.Accepted));
        Assert.Equal(2 * Batches * PerBatch + 20, await db.Audit.CountAsync(a => a.Kind == AuditKind.IngressAccepted));
        await AssertVerifies(_first);
        await AssertVerifies(_second);
    }

    /// <summary>As the listener does: what a batch had no time for leads the next one.</summary>
    private static async Task<(int Committed, List<Exception> Failed)> DecideAllAsync(
        ServiceHost gateway,
        IReadOnlyList<IngressDelivery> batch
    )
    {
        var decider = gateway.App.Services.GetRequiredService<IngressBatch>();
        var (committed, failed) = (0, new List<Exception>());
        while (batch.Count > 0)
        {
            var decided = await decider.DecideAsync(batch, CancellationToken.None);
            committed += decided.Committed.Count;
            failed.AddRange(decided.Failed.Select(f => f.Failure));
            batch = decided.Deferred;
        }
        return (committed, failed);
    }

    private static async Task AssertVerifies(ServiceHost gateway)
    {
        using var auditor = gateway.ClientFor(DemoPrincipals.Named("auditor"));
        var verification = await auditor.GetFromJsonAsync<JsonElement>("/audit/verify");
        Assert.True(verification.GetProperty("intact").GetBoolean(), verification.GetProperty("problem").GetString());
        // The newest checkpoint vouches for the head: a batch's checkpoint was written after its commit.
        Assert.Equal(
            verification.GetProperty("entriesChecked").GetInt32(),
            verification.GetProperty("newestCheckpointSequence").GetInt64()
        );
    }

    private IngressDelivery Delivery(string account, JsonObject envelope) =>
        new(Interlocked.Increment(ref _tag), account, IngressTypeNames.RecordBriefing, Encoding.UTF8.GetBytes(envelope.ToJsonString()), 0);

    private static JsonObject Briefing(Action<JsonObject>? change = null)
    {
        var envelope = IngressOverHttpTests.Example(IngressTypeNames.RecordBriefing);
        envelope["messageId"] = Guid.NewGuid().ToString();
        envelope["payload"]!["summary"] = $"Priorities {Guid.NewGuid():N}";
        change?.Invoke(envelope);
        return envelope;
    }
}

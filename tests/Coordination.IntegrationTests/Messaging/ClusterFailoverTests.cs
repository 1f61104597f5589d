using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Coordination.Briefings.Persistence;
using Coordination.IntegrationTests.Support;
using Coordination.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;
using Xunit.Abstractions;

namespace Coordination.IntegrationTests.Messaging;

/// <summary>
/// Three RabbitMQ nodes (infra/rabbitmq/cluster.sh) with the accounts of definitions.json; the gateway
/// and Briefings on it under their own accounts, given the cluster host list. Under a steady load of a
/// prosecutor's briefings on the AMQP ingress, the node leading the gateway's ingress queue is killed
/// with -9, and later started again. Every briefing is recorded once: none lost, none twice.
/// </summary>
public sealed class ClusterFailoverTests(ITestOutputHelper output)
{
    private const int Messages = 300;
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    private const string Agency = "75-prosecutor";
    private const string Type = "briefings.record-briefing";
    private const string BriefingsQueue = "briefings-record-penal-policy-briefing";

    [Fact]
    public async Task Losing_the_node_that_leads_the_main_queues_loses_and_duplicates_nothing()
    {
        var total = Stopwatch.StartNew();
        await using var cluster = await RabbitMqCluster.StartAsync(BrokerPermissionsTests.DefinitionsPath(), TimeSpan.FromSeconds(120));
        var clusterStarted = total.Elapsed;
        await using var gateway = await ServiceHost.StartOnClusterAsync(a => Coordination.Gateway.Program.Build(a), cluster, "gateway");
        await using var briefings = await ServiceHost.StartOnClusterAsync(
            a => Coordination.Briefings.Program.Build(a),
            cluster,
            "briefings"
        );

        // Quorum queues replicated on all three nodes: the definitions' ingress queue, and the one Briefings declared at start.
        await Poller.UntilAsync(
            async () => (await cluster.ListQueuesAsync(0, "name")).Any(q => q[0] == BriefingsQueue),
            "Briefings' queue declared"
        );
        var members = (await cluster.ListQueuesAsync(0, "name", "type", "members")).ToDictionary(
            q => q[0],
            q => (Type: q[1], Members: q[2])
        );
        foreach (var queue in new[] { "gateway-ingress", BriefingsQueue })
        {
            Assert.Equal("quorum", members[queue].Type);
            Assert.All(cluster.Nodes, node => Assert.Contains(node, members[queue].Members));
        }

        // Leaders move only when a member is lost: asked now (rabbitmqctl takes seconds), they still lead at the kill.
        var victim = await cluster.LeaderOfAsync("gateway-ingress");
        var briefingsLeader = await cluster.LeaderOfAsync(BriefingsQueue);

        var marker = $"cluster-{Guid.NewGuid():N}"[..16];
        var ids = Enumerable.Range(0, Messages).Select(_ => Guid.NewGuid()).ToArray();
        var publisher = new SteadyAgency(cluster, marker, ids, Interval);
        var load = Task.Run(publisher.RunAsync);

        // A third of the load in, the node leading the ingress queue is lost.
        await Poller.UntilAsync(() => publisher.Confirmed >= Messages / 3, "a third of the briefings published", TimeSpan.FromSeconds(60));
        var publishedBeforeKill = publisher.Next;
        var killed = Stopwatch.StartNew();
        // How many are recorded, every second from the kill on: the test output shows where the flow paused.
        var timeline = new ConcurrentQueue<string>();
        using var stopSampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stopSampling.IsCancellationRequested)
            {
                var recorded = await AppliedAsync(briefings, marker);
                timeline.Enqueue($"{killed.Elapsed.TotalSeconds:F0}s:{publisher.Confirmed}/{recorded.Count}");
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), stopSampling.Token);
                }
                catch (OperationCanceledException) { }
            }
        });
        var (wasKilled, why) = await cluster.KillAsync(victim);
        Assert.True(wasKilled, why);
        Assert.True(publisher.Next < Messages, "the load ended before the kill: the test would show nothing");
        var survivor = (victim + 1) % 3;

        // A wait that fails says where the briefings stopped: the agency's side, the queues, the services.
        async Task Explained(Func<Task> wait)
        {
            try
            {
                await wait();
            }
            catch (TimeoutException)
            {
                var recorded = await AppliedAsync(briefings, marker);
                output.WriteLine($"published/recorded since the kill: {string.Join(" ", timeline)}");
                output.WriteLine(
                    $"at {killed.Elapsed.TotalSeconds:F1} s after killing node {victim + 1}: agency confirmed "
                        + $"{publisher.Confirmed}, next {publisher.Next}, "
                        + $"failures {string.Join("; ", publisher.Failures.Take(8))}; recorded {recorded.Count}, highest "
                        + $"{(recorded.Count > 0 ? recorded.Max() : -1)}"
                );
                foreach (var queue in await cluster.ListQueuesAsync(survivor, "name", "leader", "messages", "consumers"))
                    if (
                        queue[0].StartsWith("gateway", StringComparison.Ordinal)
                        || queue[0].StartsWith("briefings", StringComparison.Ordinal)
                    )
                        output.WriteLine($"  {string.Join(" ", queue)}");
                // Where the gateway's relay stands: rows waiting, claimed, and the last errors they met.
                await using (var scope = gateway.App.Services.CreateAsyncScope())
                {
                    var outbox = scope
                        .ServiceProvider.GetRequiredService<Coordination.Gateway.Persistence.GatewayDbContext>()
                        .OutboxMessages;
                    var unsent = await outbox.AsNoTracking().Where(m => m.SentAt == null).ToListAsync();
                    output.WriteLine(
                        $"  gateway outbox: {unsent.Count} unsent, {unsent.Count(m => m.ClaimToken != null)} claimed, errors: "
                            + string.Join(", ", unsent.GroupBy(m => m.LastError ?? "none").Select(g => $"{g.Key} x{g.Count()}"))
                    );
                }
                foreach (var host in new[] { gateway, briefings })
                {
                    var ready = await host.Http.GetAsync("/health/ready");
                    output.WriteLine($"  {host.BaseAddress} ready: {(int)ready.StatusCode} {await ready.Content.ReadAsStringAsync()}");
                }
                throw;
            }
        }

        // Recovered when a briefing first published after the kill is recorded: the ingress has a new
        // leader, the gateway and Briefings are connected again, and the flow goes through.
        await Explained(() =>
            Poller.UntilAsync(
                async () => (await AppliedAsync(briefings, marker)).Any(s => s >= publishedBeforeKill),
                "a briefing published after the kill recorded",
                TimeSpan.FromSeconds(90)
            )
        );
        var recovery = killed.Elapsed;
        var newLeader = await cluster.LeaderOfAsync("gateway-ingress", survivor);
        Assert.NotEqual(victim, newLeader);

        // The lost node comes back while the load goes on, and rejoins.
        var (restarted, restartOutput) = await cluster.RestartAsync(victim);
        Assert.True(restarted, restartOutput);
        var rejoined = killed.Elapsed;
        await load.WaitAsync(TimeSpan.FromSeconds(90));

        List<int> applied = [];
        await Explained(() =>
            Poller.UntilAsync(
                async () => (applied = await AppliedAsync(briefings, marker)).Count >= Messages,
                $"all {Messages} briefings recorded",
                TimeSpan.FromSeconds(60)
            )
        );
        await Task.Delay(TimeSpan.FromSeconds(1)); // a late duplicate would land now
        applied = await AppliedAsync(briefings, marker);

        await stopSampling.CancelAsync();
        await sampler;
        output.WriteLine($"published/recorded since the kill: {string.Join(" ", timeline)}");
        var duplicated = applied.GroupBy(s => s).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        var lost = Enumerable.Range(0, Messages).Except(applied).ToList();
        output.WriteLine(
            $"cluster of 3 started in {clusterStarted.TotalSeconds:F1} s; killed node {victim + 1} "
                + $"({cluster.Nodes[victim]}) leading gateway-ingress "
                + $"(Briefings' queue led by node {briefingsLeader + 1}) after {publishedBeforeKill} of {Messages} briefings"
        );
        output.WriteLine(
            $"new ingress leader: node {newLeader + 1}; time to recover (kill to a post-kill briefing recorded): "
                + $"{recovery.TotalSeconds:F1} s; "
                + $"node restarted and rejoined {rejoined.TotalSeconds:F1} s after the kill"
        );
        output.WriteLine(
            $"published (confirmed) {publisher.Confirmed}, agency republished after a failure {publisher.Republished}, "
                + $"recorded {applied.Count}, distinct {applied.Distinct().Count()}, lost {lost.Count}, duplicated "
                + $"{duplicated.Count}; test {total.Elapsed.TotalSeconds:F1} s"
        );

        Assert.Equal(Messages, publisher.Confirmed);
        Assert.Empty(lost);
        Assert.Empty(duplicated);
        Assert.Equal(publisher.Confirmed, applied.Count);

        // Nothing parked for operators: no dead-lettered agency message, no failed briefing.
        var depth = (await cluster.ListQueuesAsync(survivor, "name", "messages")).ToDictionary(q => q[0], q => int.Parse(q[1]));
        Assert.Equal(0, depth.GetValueOrDefault("gateway-ingress-dead-letter"));
        Assert.Equal(0, depth.GetValueOrDefault(BriefingsQueue + "_error"));
        // Both services ready again by themselves: nobody restarted them.
        foreach (var host in new[] { gateway, briefings })
            Assert.True(
                (await host.Http.GetAsync("/health/ready")).IsSuccessStatusCode,
                $"{host.BaseAddress} not ready after the failover"
            );
    }

    /// <summary>The sequence number of every briefing of this run Briefings recorded, one entry per row.</summary>
    private static async Task<List<int>> AppliedAsync(ServiceHost briefings, string marker)
    {
        await using var scope = briefings.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BriefingsDbContext>();
        var summaries = await db.Briefings.AsNoTracking().Where(b => b.Summary.StartsWith(marker)).Select(b => b.Summary).ToListAsync();
        return summaries.Select(s => int.Parse(s[(marker.Length + 1)..])).ToList();
    }

    /// <summary>
    /// The prosecutor's system as an agency should write it: one briefing every interval, each confirmed by
    /// the broker; a publish that fails or is not confirmed is sent again, with the same message id, on a new
    /// connection to any node (the gateway answers a message id it has seen once).
    /// </summary>
    private sealed class SteadyAgency(RabbitMqCluster cluster, string marker, Guid[] ids, TimeSpan interval)
    {
        private int _confirmed;
        private int _republished;
        public int Confirmed => Volatile.Read(ref _confirmed);
        public int Republished => Volatile.Read(ref _republished);
        public int Next { get; private set; }
        public ConcurrentQueue<string> Failures { get; } = new();

        public async Task RunAsync()
        {
            var factory = new ConnectionFactory
            {
                Uri = new Uri(cluster.UrlAs(Agency, AgencyClient.DemoPasswordOf(Agency))),
                ClientProvidedName = "coordination-tests-steady-agency",
                AutomaticRecoveryEnabled = false,
            };
            var endpoints = cluster.HostList.Select(h => AmqpTcpEndpoint.Parse(h)).ToList();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
            IConnection? connection = null;
            IChannel? channel = null;
            var pace = Stopwatch.StartNew();
            for (var i = 0; i < ids.Length; i++)
            {
                Next = i;
                var due = interval * i - pace.Elapsed;
                if (due > TimeSpan.Zero)
                    await Task.Delay(due);
                var body = Encoding.UTF8.GetBytes(Envelope(i));
                for (var attempt = 0; ; attempt++)
                {
                    if (DateTime.UtcNow > deadline)
                        throw new TimeoutException($"briefing {i} not confirmed: " + $"{string.Join("; ", Failures.Take(5))}");
                    try
                    {
                        if (channel is null || !channel.IsOpen)
                        {
                            if (connection is not null)
                                await connection.DisposeAsync();
                            connection = await factory.CreateConnectionAsync(endpoints);
                            channel = await connection.CreateChannelAsync(
                                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)
                            );
                        }
                        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                        await AgencyClient.PublishAsync(channel, Agency, Type, ids[i], body, cancellationToken: timeout.Token);
                        if (attempt > 0)
                            Interlocked.Increment(ref _republished);
                        Interlocked.Increment(ref _confirmed);
                        break;
                    }
                    catch (Exception e) when (e is not TimeoutException)
                    {
                        Failures.Enqueue($"{i}: {e.GetType().Name}");
                        if (channel is not null)
                        {
                            try
                            {
                                await channel.DisposeAsync();
                            }
                            catch (Exception) { }
                        }
                        channel = null;
                        await Task.Delay(TimeSpan.FromMilliseconds(250));
                    }
                }
            }
            Next = ids.Length;
            if (channel is not null)
                await channel.DisposeAsync();
            if (connection is not null)
                await connection.DisposeAsync();
        }

        private string Envelope(int sequence)
        {
            var envelope = JsonNode
                .Parse(File.ReadAllText(Repository.File("contracts", "Coordination.Contracts", "Schemas", "examples", $"{Type}.json")))!
                .AsObject();
            envelope["messageId"] = ids[sequence].ToString();
            envelope["payload"]!["summary"] = $"{marker} {sequence}";
            return envelope.ToJsonString();
        }
    }
}

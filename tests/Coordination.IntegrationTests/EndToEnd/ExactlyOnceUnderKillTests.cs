using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coordination.IntegrationTests.Support;
using Coordination.Testing;
using Microsoft.Data.Sqlite;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Xunit.Abstractions;

namespace Coordination.IntegrationTests.EndToEnd;

/// <summary>
/// Exactly-once in effect, shown under faults: agency briefings through the AMQP ingress while the
/// gateway process is killed with SIGKILL and restarted, then the Briefings process, then the broker
/// is stopped and started on its data. Every message the broker confirmed to the agency is applied
/// once, or dead-lettered where operators see it; none is lost, none applied twice. Each fault comes
/// at a share of the messages applied, so that it lands while the pipeline is at work, and the agency
/// keeps at most a bounded lead over what is applied, so that it is still sending when the broker stops.
/// The test has a broker of its own (a private node it may stop), and runs in the RabbitMQ collection
/// only so that it does not load the machine while the other broker tests run.
/// COORDINATION_EXACTLY_ONCE_MESSAGES sets the count (10,000 by default, as in CI), and
/// COORDINATION_EXACTLY_ONCE_TIMEOUT_MINUTES the hard bound on the whole test (10).
/// </summary>
[Collection(RabbitMqCollection.Name)]
public sealed class ExactlyOnceUnderKillTests(ITestOutputHelper output)
{
    private const string Account = "75-prosecutor";
    private const string BriefingsQueue = "briefings-record-penal-policy-briefing";

    [Fact]
    public async Task Agency_messages_survive_kill_9_of_the_gateway_then_of_briefings_then_a_broker_restart_applied_exactly_once()
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("COORDINATION_EXACTLY_ONCE_MESSAGES"), out var configured)
            ? configured
            : 10_000;
        var clock = Stopwatch.StartNew();
        // Hard bound: whatever happens, the test ends within this.
        var minutes = int.TryParse(Environment.GetEnvironmentVariable("COORDINATION_EXACTLY_ONCE_TIMEOUT_MINUTES"), out var bound)
            ? bound
            : 10;
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(minutes);
        TimeSpan Left() => deadline - DateTime.UtcNow;

        await using var broker = await LocalRabbitMq.StartAsync(TimeSpan.FromSeconds(90));
        var (imported, importOutput) = await broker.CtlAsync(
            "import_definitions",
            Repository.File("infra", "rabbitmq", "definitions.json")
        );
        Assert.True(imported, importOutput);
        string UrlOf(string account) => AgencyClient.UrlAs(broker.AmqpUrl, account);

        var root = ServiceHost.NewFolder();
        var gatewayFolder = Path.Combine(root, "gateway");
        var briefingsFolder = Path.Combine(root, "briefings");
        string[] shared = ["--Messaging:ConsumeTopologyFromBroker=true", $"--Sealing:KeyDirectory={Path.Combine(root, "sealing-keys")}"];
        ServiceProcess StartGateway(int? port = null) => ServiceProcess.Start("Gateway", gatewayFolder, UrlOf("svc-gateway"), port, shared);
        ServiceProcess StartBriefings(int? port = null) =>
            ServiceProcess.Start("Briefings", briefingsFolder, UrlOf("svc-briefings"), port, shared);
        var gateway = StartGateway();
        var briefings = StartBriefings();
        var run = Guid.NewGuid().ToString("N")[..8];
        var ids = Enumerable.Range(0, count).Select(_ => Guid.NewGuid()).ToArray();
        try
        {
            await gateway.WaitReadyAsync(TimeSpan.FromSeconds(90));
            await briefings.WaitReadyAsync(TimeSpan.FromSeconds(90));
            output.WriteLine(
                $"{count} messages, run {run}; gateway pid {gateway.Pid}, briefings pid {briefings.Pid}, broker node {broker.Node}; "
                    + $"ready after {clock.Elapsed.TotalSeconds:F1} s"
            );

            // The agency as docs/agency-integration.md says: persistent, confirmed, user_id = its account;
            // what the broker did not confirm it sends again under the same message id.
            using var stop = new CancellationTokenSource(Left());
            var publisher = new AgencyPublisher(
                UrlOf(Account),
                ids,
                run,
                perSecond: 500,
                applied: () => CountApplied(briefingsFolder),
                maxLead: Math.Max(500, count / 6),
                catchUp: Left()
            );
            var publishing = Task.Run(() => publisher.RunAsync(stop.Token));
            async Task WhenApplied(double share, string next)
            {
                await Poller.UntilAsync(
                    () =>
                    {
                        if (publishing.IsFaulted)
                            throw publishing.Exception!;
                        return CountApplied(briefingsFolder) >= share * count;
                    },
                    $"{share:P0} of the messages applied before {next}",
                    Left()
                );
            }

            await WhenApplied(0.20, "killing the gateway");
            var faults = Stopwatch.StartNew();
            gateway.Kill();
            output.WriteLine(
                $"{clock.Elapsed.TotalSeconds, 6:F1} s: gateway killed (SIGKILL) at {publisher.Confirmed} confirmed, "
                    + $"{Applied(briefingsFolder).Rows} applied"
            );
            gateway = StartGateway(gateway.Port);
            await gateway.WaitReadyAsync(TimeSpan.FromSeconds(90));
            output.WriteLine($"{clock.Elapsed.TotalSeconds, 6:F1} s: gateway restarted (pid {gateway.Pid})");

            await WhenApplied(0.45, "killing Briefings");
            briefings.Kill();
            output.WriteLine(
                $"{clock.Elapsed.TotalSeconds, 6:F1} s: briefings killed (SIGKILL) at {publisher.Confirmed} confirmed, "
                    + $"{Applied(briefingsFolder).Rows} applied"
            );
            briefings = StartBriefings(briefings.Port);
            await briefings.WaitReadyAsync(TimeSpan.FromSeconds(90));
            output.WriteLine($"{clock.Elapsed.TotalSeconds, 6:F1} s: briefings restarted (pid {briefings.Pid})");

            await WhenApplied(0.70, "restarting the broker");
            output.WriteLine(
                $"{clock.Elapsed.TotalSeconds, 6:F1} s: broker stopping at {publisher.Confirmed} confirmed, "
                    + $"{Applied(briefingsFolder).Rows} applied"
            );
            await broker.RestartAsync(TimeSpan.FromSeconds(90));
            output.WriteLine($"{clock.Elapsed.TotalSeconds, 6:F1} s: broker started again on its data");
            await gateway.WaitReadyAsync(TimeSpan.FromSeconds(90));
            await briefings.WaitReadyAsync(TimeSpan.FromSeconds(90));
            output.WriteLine($"{clock.Elapsed.TotalSeconds, 6:F1} s: faults over after {faults.Elapsed.TotalSeconds:F1} s");

            await publishing.WaitAsync(Left());
            output.WriteLine(
                $"{clock.Elapsed.TotalSeconds, 6:F1} s: all {count} confirmed ({publisher.Resent} sent again after a failed confirm)"
            );
            await stop.CancelAsync();

            // Drained: every confirmed message is applied or dead-lettered, nothing waits anywhere,
            // and the figures hold still a moment (a late duplicate would show up here).
            var counts = new Counts(0, 0, 0, 0, 0);
            try
            {
                await Poller.UntilAsync(
                    async () =>
                    {
                        var previous = counts;
                        counts = await CountAsync(broker, briefingsFolder, gatewayFolder, ids);
                        return counts.Settled(count) && counts == previous;
                    },
                    "every message applied or dead-lettered, nothing pending",
                    Left()
                );
            }
            catch (TimeoutException e)
            {
                throw new TimeoutException($"{e.Message}: {counts}\ngateway: {gateway.Output}\nbriefings: {briefings.Output}", e);
            }
            await Task.Delay(TimeSpan.FromSeconds(2));

            var applied = Applied(briefingsFolder);
            var deadLettered = await DeadLetteredAsync(broker, run);
            var appliedIds = applied.Ids;
            var lost = ids.Count(id => !appliedIds.Contains(id) && !deadLettered.Contains(id));
            var duplicates = applied.Rows - appliedIds.Count + appliedIds.Count(deadLettered.Contains);
            var refused = await DepthAsync(broker, $"agency.{Account}.rejected");
            output.WriteLine("");
            output.WriteLine(
                $"published (confirmed): {count}; applied: {appliedIds.Count} ({applied.Rows} rows); dead-lettered: {deadLettered.Count}; "
                    + $"refused: {refused}; lost: {lost}; duplicates: {duplicates}"
            );
            output.WriteLine($"duration: {clock.Elapsed.TotalSeconds:F1} s");

            Assert.Equal(0, lost);
            Assert.Equal(0, duplicates);
            Assert.Equal(0, refused);
            Assert.Equal(count, appliedIds.Count + deadLettered.Count);
        }
        finally
        {
            gateway.Dispose();
            briefings.Dispose();
            SqliteConnection.ClearAllPools();
            ServiceHost.DeleteFolder(root);
        }
    }

    private sealed record Counts(int Applied, int DeadLettered, long IngressDepth, long BriefingsDepth, int UnsentOutbox)
    {
        public bool Settled(int published) =>
            Applied + DeadLettered >= published && IngressDepth == 0 && BriefingsDepth == 0 && UnsentOutbox == 0;
    }

    private static async Task<Counts> CountAsync(LocalRabbitMq broker, string briefingsFolder, string gatewayFolder, Guid[] ids)
    {
        var applied = Applied(briefingsFolder).Ids.Count;
        var deadLettered =
            (int)await DepthAsync(broker, "gateway-ingress-dead-letter") + (int)await DepthAsync(broker, $"{BriefingsQueue}_error");
        return new Counts(
            applied,
            deadLettered,
            await DepthAsync(broker, "gateway-ingress"),
            await DepthAsync(broker, BriefingsQueue),
            UnsentOutbox(gatewayFolder)
        );
    }

    /// <summary>What Briefings committed: one row per briefing, the agency's message id in its summary.</summary>
    private static (int Rows, HashSet<Guid> Ids) Applied(string briefingsFolder)
    {
        var file = Path.Combine(briefingsFolder, "briefings.db");
        if (!File.Exists(file))
            return (0, []);
        using var connection = new SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT Summary FROM PenalPolicyBriefings WHERE Summary LIKE 'exactly-once %'";
        var rows = 0;
        var ids = new HashSet<Guid>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            rows++;
            ids.Add(Guid.Parse(reader.GetString(0).Split(' ')[^1]));
        }
        return (rows, ids);
    }

    private static int CountApplied(string briefingsFolder)
    {
        var file = Path.Combine(briefingsFolder, "briefings.db");
        if (!File.Exists(file))
            return 0;
        try
        {
            using var connection = new SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM PenalPolicyBriefings WHERE Summary LIKE 'exactly-once %'";
            return Convert.ToInt32(command.ExecuteScalar());
        }
        catch (SqliteException)
        {
            return 0; // not migrated yet
        }
    }

    private static int UnsentOutbox(string folder)
    {
        var file = Path.Combine(folder, "gateway.db");
        if (!File.Exists(file))
            return 0;
        using var connection = new SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM OutboxMessages WHERE SentAt IS NULL";
        return Convert.ToInt32(command.ExecuteScalar());
    }

    /// <summary>Ready messages in a queue (0 when it does not exist), read as the broker's administrator.</summary>
    private static async Task<long> DepthAsync(LocalRabbitMq broker, string queue)
    {
        await using var connection = await new ConnectionFactory { Uri = new Uri(broker.AmqpUrl) }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
        }
        catch (OperationInterruptedException)
        {
            return 0;
        }
    }

    /// <summary>
    /// The agency message ids in the gateway's dead-letter queue (the envelope as sent) and in Briefings'
    /// error queue (the forwarded command carries the agency's message id as its correlation id).
    /// </summary>
    private static async Task<HashSet<Guid>> DeadLetteredAsync(LocalRabbitMq broker, string run)
    {
        var ids = new HashSet<Guid>();
        await using var connection = await new ConnectionFactory { Uri = new Uri(broker.AmqpUrl) }.CreateConnectionAsync();
        foreach (
            var (queue, read) in new (string, Func<JsonElement, Guid?>)[]
            {
                ("gateway-ingress-dead-letter", e => e.TryGetProperty("messageId", out var id) && id.TryGetGuid(out var g) ? g : null),
                ($"{BriefingsQueue}_error", e => e.TryGetProperty("correlationId", out var id) && id.TryGetGuid(out var g) ? g : null),
            }
        )
        {
            await using var channel = await connection.CreateChannelAsync();
            try
            {
                while (await channel.BasicGetAsync(queue, autoAck: false) is { } message)
                {
                    using var body = JsonDocument.Parse(message.Body);
                    if (read(body.RootElement) is { } id)
                        ids.Add(id);
                }
            }
            catch (OperationInterruptedException)
            {
                // No such queue: nothing was dead-lettered there.
            }
        }
        return ids;
    }

    /// <summary>
    /// An agency system sending briefings at a steady rate, in small batches, each confirmed by the
    /// broker; a batch with any failure (the broker stopping, a closed connection) is sent again whole
    /// on a new connection, under the same message ids: an at-least-once sender. It waits while it is
    /// more than <paramref name="maxLead"/> messages ahead of what is applied.
    /// </summary>
    private sealed class AgencyPublisher(
        string url,
        Guid[] ids,
        string run,
        double perSecond,
        Func<int> applied,
        int maxLead,
        TimeSpan catchUp
    )
    {
        private int _confirmed;
        private int _resent;
        public int Confirmed => Volatile.Read(ref _confirmed);
        public int Resent => Volatile.Read(ref _resent);

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            const int batch = 25;
            var interval = TimeSpan.FromSeconds(batch / perSecond);
            var day = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(-1)).ToString("yyyy-MM-dd");
            var next = Stopwatch.GetTimestamp();
            IConnection? connection = null;
            IChannel? channel = null;
            try
            {
                for (var first = 0; first < ids.Length; first += batch)
                {
                    // Ahead of what is applied by more than the allowed lead: wait for the pipeline (down during a fault) to catch up.
                    await Poller.UntilAsync(() => first - applied() <= maxLead, "the pipeline to catch up with the agency", catchUp);
                    var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next);
                    if (wait > TimeSpan.Zero)
                        await Task.Delay(wait, cancellationToken);
                    next =
                        Math.Max(next, Stopwatch.GetTimestamp() - Stopwatch.Frequency / 10)
                        + (long)(interval.TotalSeconds * Stopwatch.Frequency);
                    var slice = ids.AsMemory(first, Math.Min(batch, ids.Length - first));
                    while (true)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        try
                        {
                            if (channel is null || !channel.IsOpen)
                            {
                                if (connection is not null)
                                    await connection.DisposeAsync();
                                connection = await new ConnectionFactory
                                {
                                    Uri = new Uri(url),
                                    ClientProvidedName = "exactly-once-agency",
                                    AutomaticRecoveryEnabled = false,
                                }.CreateConnectionAsync(cancellationToken);
                                channel = await connection.CreateChannelAsync(
                                    new CreateChannelOptions(
                                        publisherConfirmationsEnabled: true,
                                        publisherConfirmationTrackingEnabled: true
                                    ),
                                    cancellationToken
                                );
                            }
                            using var confirmTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                            confirmTimeout.CancelAfter(TimeSpan.FromSeconds(10));
                            var open = channel;
                            await Task.WhenAll(slice.ToArray().Select(id => PublishAsync(open, id, day, confirmTimeout.Token)));
                            break;
                        }
                        catch (Exception e)
                            when (!cancellationToken.IsCancellationRequested
                                && e
                                    is OperationInterruptedException
                                        or AlreadyClosedException
                                        or BrokerUnreachableException
                                        or PublishException
                                        or OperationCanceledException
                                        or IOException
                                        or System.Net.Sockets.SocketException
                                        or InvalidOperationException
                                        or ObjectDisposedException
                            )
                        {
                            Interlocked.Add(ref _resent, slice.Length);
                            channel = null;
                            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
                        }
                    }
                    Interlocked.Add(ref _confirmed, slice.Length);
                }
            }
            finally
            {
                if (connection is not null)
                    await connection.DisposeAsync();
            }
        }

        private Task PublishAsync(IChannel channel, Guid id, string day, CancellationToken cancellationToken)
        {
            var envelope = new JsonObject
            {
                ["messageId"] = id.ToString(),
                ["type"] = "briefings.record-briefing",
                ["schemaVersion"] = 1,
                ["territory"] = "75",
                ["occurredAt"] = DateTimeOffset.UtcNow.ToString("O"),
                ["payload"] = new JsonObject
                {
                    ["briefedOn"] = day,
                    ["prosecutorOffice"] = "Parquet de Paris",
                    ["priorityThemes"] = new JsonArray("drug-trafficking"),
                    ["summary"] = $"exactly-once {run} {id:N}",
                },
            };
            return AgencyClient
                .PublishAsync(
                    channel,
                    Account,
                    "briefings.record-briefing",
                    id,
                    Encoding.UTF8.GetBytes(envelope.ToJsonString()),
                    cancellationToken: cancellationToken
                )
                .AsTask();
        }
    }
}

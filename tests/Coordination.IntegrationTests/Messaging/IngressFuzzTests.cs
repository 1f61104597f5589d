using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Coordination.Briefings.Api;
using Coordination.Contracts.Gateway;
using Coordination.Gateway.Application.Ingress;
using Coordination.Gateway.Consumers;
using Coordination.Gateway.Domain;
using Coordination.IntegrationTests.EndToEnd;
using Coordination.IntegrationTests.Support;
using Coordination.ServiceDefaults.Security;
using Coordination.Testing;
using CsCheck;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using RabbitMQ.Client;
using Xunit.Abstractions;

namespace Coordination.IntegrationTests.Messaging;

/// <summary>
/// Issue 11, fuzzing: mutations of every documented example through both doors of one all-in-one
/// host on RabbitMQ. Every message is answered with a reason code, none crashes the door or is left
/// undecided, and a valid briefing sent among them is still recorded promptly.
/// COORDINATION_FUZZ_SEED replays a run; COORDINATION_FUZZ_COUNT sets the total (half per door).
/// </summary>
[Collection(RabbitMqCollection.Name)]
public sealed partial class IngressFuzzTests(RabbitMqBroker broker, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan LatencyBound = TimeSpan.FromSeconds(5);
    private const int ValidEvery = 100;
    private ServiceHost _host = null!;

    /// <summary>Each example from an agency its type admits, so that mutations reach the checks past the sender's role.</summary>
    private static readonly Dictionary<string, (string Principal, string Account)> Senders = new()
    {
        [IngressTypeNames.RecordBriefing] = ("prosecutor-75", "75-prosecutor"),
        [IngressTypeNames.SubmitIndicators] = ("prosecutor-75", "75-prosecutor"),
        [IngressTypeNames.RequestReview] = ("prosecutor-75", "75-prosecutor"),
        [IngressTypeNames.DesignatePerson] = ("jap-75", "75-jap"),
        [IngressTypeNames.WithdrawDesignation] = ("jap-75", "75-jap"),
        [IngressTypeNames.ReportDetentionConduct] = ("spip-75", "75-spip"),
        [IngressTypeNames.RecordControl] = ("association-75", "75-association"),
        [IngressTypeNames.ReportIncident] = ("association-75", "75-association"),
        [IngressTypeNames.ReportSupportProgress] = ("association-75", "75-association"),
        [IngressTypeNames.Contribute] = ("association-75", "75-association"),
        // Closed flows: refused whoever sends them.
        [IngressTypeNames.ShareInformation] = ("spip-75", "75-spip"),
        [IngressTypeNames.AmendReport] = ("prosecutor-75", "75-prosecutor"),
    };

    public async Task InitializeAsync()
    {
        await broker.LoadDefinitionsAsync(BrokerPermissionsTests.DefinitionsPath());
        // Whatever an earlier host left on the door is not this run's.
        await using (var admin = await broker.Connect())
        await using (var channel = await admin.CreateChannelAsync())
            foreach (var queue in new[] { AmqpIngressListener.Queue, AmqpIngressListener.DeadLetterQueue })
                try
                {
                    await channel.QueuePurgeAsync(queue);
                }
                catch (RabbitMQ.Client.Exceptions.OperationInterruptedException) { }
        _host = await ServiceHost.StartAllInOneAsync(
            b => b.Logging.AddFakeLogging(),
            "--Messaging:Transport=RabbitMq",
            $"--Messaging:RabbitMqUrl={broker.AmqpUrl}",
            "--Logging:LogLevel:Default=Information"
        );
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private void Print(string line)
    {
        output.WriteLine(line);
        Console.WriteLine($"[fuzz] {line}");
    }

    [Fact]
    public async Task Generated_envelopes_through_both_doors_are_each_answered_with_a_reason_and_the_door_stays_open()
    {
        var seed = Environment.GetEnvironmentVariable("COORDINATION_FUZZ_SEED") is { Length: > 0 } s ? ulong.Parse(s) : 20261102UL;
        var total = Environment.GetEnvironmentVariable("COORDINATION_FUZZ_COUNT") is { Length: > 0 } c ? int.Parse(c) : 10_000;
        var examples = Senders.Keys.Order(StringComparer.Ordinal).Select(t => (Type: t, Example: IngressOverHttpTests.Example(t))).ToList();
        Assert.Equal(Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "agency-examples"), "*.json").Length, examples.Count);

        var generator = EnvelopeFuzzer.CaseGen(examples.Count);
        var pcg = new PCG(1, seed);
        FuzzCase Next()
        {
            var (example, ops) = generator.Generate(pcg, null, out _);
            return EnvelopeFuzzer.Build(examples[example].Type, examples[example].Example, ops, Guid.NewGuid());
        }
        var httpCases = Enumerable.Range(0, total / 2).Select(_ => Next()).ToList();
        var amqpCases = Enumerable.Range(0, total - total / 2).Select(_ => Next()).ToList();
        Print(
            $"seed {seed}: generated {httpCases.Count + amqpCases.Count} envelopes "
                + $"({httpCases.Count} over HTTP, {amqpCases.Count} over AMQP) from {examples.Count} examples, "
                + $"{httpCases.Concat(amqpCases).Count(f => f.Body.Length > IngressProcessor.MaxBytes)} past 64 KB"
        );

        var clock = Stopwatch.StartNew();
        var latencies = new ConcurrentBag<(string Door, TimeSpan Latency)>();
        var http = RunHttpAsync(httpCases, latencies);
        var amqp = RunAmqpAsync(amqpCases, latencies);
        var (httpFigures, amqpSent) = (await http, await amqp);
        var sendingTook = clock.Elapsed;

        // AMQP: every message decided, in the audit, once the gateway has drained its queue.
        var audit = new AuditReader(_host);
        var readable = amqpSent.Where(m => m.MessageId is not null).Select(m => m.MessageId!.Value).ToHashSet();
        var unreadableOverAmqp = amqpSent.Count(m => m.MessageId is null);
        var unreadableExpected = unreadableOverAmqp + httpFigures.Unreadable;
        await Poller.UntilAsync(
            async () =>
            {
                await audit.CatchUpAsync();
                return readable.All(audit.FirstDecision.ContainsKey) && audit.Unreadable >= unreadableExpected;
            },
            "a decision in the audit for every message sent over AMQP",
            TimeSpan.FromSeconds(120)
        );
        var decidedIn = clock.Elapsed;

        await using (var admin = await broker.Connect())
            foreach (var queue in new[] { AmqpIngressListener.Queue, AmqpIngressListener.DeadLetterQueue })
            {
                await using var inspect = await admin.CreateChannelAsync();
                Assert.Equal(0u, (await inspect.QueueDeclarePassiveAsync(queue)).MessageCount);
            }
        var undecided = _host
            .App.Services.GetFakeLogCollector()
            .GetSnapshot()
            .Where(l => l.Message.Contains("could not decide", StringComparison.Ordinal))
            .ToList();

        var amqpAccepted = amqpSent.Count(m => m.MessageId is { } id && audit.FirstDecision[id] == IngressProcessor.Accepted);
        Print(
            $"HTTP: {httpCases.Count} sent, {httpFigures.Accepted} accepted, {httpFigures.Refused.Values.Sum()} refused, "
                + $"{httpFigures.Crashes.Count} crashes or 5xx, {httpFigures.Unreadable} without a readable message id"
        );
        foreach (var (reason, count) in httpFigures.Refused.OrderByDescending(r => r.Value))
            Print($"  HTTP refused {reason}: {count}");
        Print(
            $"AMQP: {amqpSent.Count} sent, {amqpAccepted} accepted, "
                + $"{amqpSent.Count - amqpAccepted} refused, {unreadableOverAmqp} without a readable message id "
                + $"(audit counts {audit.Unreadable} 'message:unreadable' refusals over both doors, {unreadableExpected} expected)"
        );
        foreach (
            var (reason, count) in amqpSent
                .Where(m => m.MessageId is not null)
                .GroupBy(m => audit.FirstDecision[m.MessageId!.Value])
                .Where(g => g.Key != IngressProcessor.Accepted)
                .Select(g => (g.Key, g.Count()))
                .OrderByDescending(r => r.Item2)
        )
            Print($"  AMQP refused {reason}: {count}");
        foreach (var (reason, count) in audit.UnreadableReasons.OrderByDescending(r => r.Value))
            Print($"  unreadable refused {reason} (both doors): {count}");
        var sorted = latencies.Select(l => l.Latency).Order().ToList();
        foreach (var door in new[] { "HTTP", "AMQP" })
        {
            var of = latencies.Where(l => l.Door == door).Select(l => l.Latency).Order().ToList();
            Print(
                $"valid briefings interleaved every {ValidEvery} over {door}: {of.Count} recorded, "
                    + $"median {of[of.Count / 2].TotalMilliseconds:F0} ms, max {of[^1].TotalMilliseconds:F0} ms "
                    + $"(bound {LatencyBound.TotalSeconds:F0} s, sent to seen in GET /briefings, polled)"
            );
        }
        Print(
            $"time: sending {sendingTook.TotalSeconds:F1} s, every AMQP decision audited after {decidedIn.TotalSeconds:F1} s; "
                + $"{undecided.Count} 'could not decide' log lines"
        );

        Assert.True(httpFigures.Crashes.IsEmpty, "crashes or 5xx over HTTP: " + string.Join("\n", httpFigures.Crashes.Take(10)));
        Assert.Empty(undecided);
        Assert.Equal(unreadableExpected, audit.Unreadable);
        Assert.Equal(2 * (total / 2 / ValidEvery), sorted.Count);
        Assert.True(sorted[^1] < LatencyBound, $"a valid briefing took {sorted[^1].TotalMilliseconds:F0} ms to be recorded");
        Assert.True(httpCases.Count + amqpCases.Count >= Math.Min(total, 10_000));
    }

    private sealed record HttpFigures(
        int Accepted,
        int Unreadable,
        ConcurrentDictionary<string, int> Refused,
        ConcurrentQueue<string> Crashes
    );

    private async Task<HttpFigures> RunHttpAsync(IReadOnlyList<FuzzCase> cases, ConcurrentBag<(string Door, TimeSpan Latency)> latencies)
    {
        var clients = Senders
            .Values.Select(s => s.Principal)
            .Distinct()
            .ToDictionary(p => p, p => _host.ClientFor(DemoPrincipals.Named(p)));
        var refused = new ConcurrentDictionary<string, int>();
        var crashes = new ConcurrentQueue<string>();
        int accepted = 0,
            unreadable = 0;
        var watchers = new List<Task>();
        try
        {
            for (var block = 0; block < cases.Count; block += ValidEvery)
            {
                // Two senders at once: the door's own concurrency, on two cores.
                await Parallel.ForEachAsync(
                    cases.Skip(block).Take(ValidEvery),
                    new ParallelOptions { MaxDegreeOfParallelism = 2 },
                    async (fuzz, ct) =>
                    {
                        var client = clients[Senders[fuzz.ExampleType].Principal];
                        try
                        {
                            using var content = new ByteArrayContent(fuzz.Body);
                            content.Headers.ContentType = new("application/json");
                            using var response = await client.PostAsync($"/ingress/{Uri.EscapeDataString(fuzz.Address)}", content, ct);
                            var text = await response.Content.ReadAsStringAsync(ct);
                            if (response.StatusCode == HttpStatusCode.Accepted)
                            {
                                Interlocked.Increment(ref accepted);
                                return;
                            }
                            var problem =
                                (int)response.StatusCode is >= 400 and < 500
                                && response.Content.Headers.ContentType?.MediaType == "application/problem+json"
                                    ? JsonDocument.Parse(text).RootElement
                                    : default;
                            if (
                                problem.ValueKind != JsonValueKind.Object
                                || !problem.TryGetProperty("reasonCode", out var reason)
                                || reason.GetString() is not { Length: > 0 } code
                            )
                            {
                                crashes.Enqueue(
                                    $"{(int)response.StatusCode} {fuzz.ExampleType} [{fuzz.Mutations}]: "
                                        + $"{text[..Math.Min(text.Length, 300)]}"
                                );
                                return;
                            }
                            refused.AddOrUpdate(code, 1, (_, n) => n + 1);
                            if (problem.GetProperty("messageId").ValueKind == JsonValueKind.Null)
                                Interlocked.Increment(ref unreadable);
                        }
                        catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException)
                        {
                            crashes.Enqueue($"{e.GetType().Name} {fuzz.ExampleType} [{fuzz.Mutations}]: {e.Message}");
                        }
                    }
                );
                if (block + ValidEvery <= cases.Count)
                {
                    var (summary, envelope) = ValidBriefing("HTTP");
                    var sent = Stopwatch.StartNew();
                    var response = await AgencyClient.PostAsync(clients["prosecutor-75"], IngressTypeNames.RecordBriefing, envelope);
                    Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
                    watchers.Add(WatchAsync(summary, sent, "HTTP", latencies));
                }
            }
            await Task.WhenAll(watchers);
        }
        finally
        {
            foreach (var client in clients.Values)
                client.Dispose();
        }
        return new HttpFigures(accepted, unreadable, refused, crashes);
    }

    private sealed record AmqpSent(Guid? MessageId);

    private async Task<List<AmqpSent>> RunAmqpAsync(IReadOnlyList<FuzzCase> cases, ConcurrentBag<(string Door, TimeSpan Latency)> latencies)
    {
        // One connection per agency, under its own account: the broker checks user_id against it.
        var channels = new Dictionary<string, (IConnection Connection, IChannel Channel)>();
        foreach (var account in Senders.Values.Select(s => s.Account).Distinct())
        {
            var connection = await AgencyClient.ConnectAsync(broker, account);
            channels[account] = (
                connection,
                await connection.CreateChannelAsync(
                    new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)
                )
            );
        }
        var sent = new List<AmqpSent>();
        var watchers = new List<Task>();
        await using var admin = await broker.Connect();
        await using var inspect = await admin.CreateChannelAsync();
        try
        {
            for (var block = 0; block < cases.Count; block += ValidEvery)
            {
                // A burst waits in the queue, and a message behind a backlog waits as long as the backlog
                // takes: that is the sender's burst, not the door's latency. Each block is published once the
                // previous one is taken (at most the listener's prefetch left).
                await Poller.UntilAsync(
                    async () => (await inspect.QueueDeclarePassiveAsync(AmqpIngressListener.Queue)).MessageCount == 0,
                    "the ingress queue drained",
                    TimeSpan.FromSeconds(60)
                );
                // The valid briefing opens its block: behind at most what the listener prefetched of the
                // previous one, then a hundred fuzzed messages on its heels, and the HTTP door's at once.
                if (block + ValidEvery <= cases.Count)
                {
                    var (summary, envelope) = ValidBriefing("AMQP");
                    var clock = Stopwatch.StartNew();
                    var id = Guid.Parse(JsonNode.Parse(envelope)!["messageId"]!.GetValue<string>());
                    sent.Add(new AmqpSent(id));
                    await PublishAsync(
                        channels["75-prosecutor"].Channel,
                        "75-prosecutor",
                        IngressTypeNames.RecordBriefing,
                        id,
                        Encoding.UTF8.GetBytes(envelope)
                    );
                    watchers.Add(WatchAsync(summary, clock, "AMQP", latencies));
                }
                var publishes = new List<Task>();
                foreach (var fuzz in cases.Skip(block).Take(ValidEvery))
                {
                    var account = Senders[fuzz.ExampleType].Account;
                    var id = ReadableMessageId(fuzz.Body);
                    sent.Add(new AmqpSent(id));
                    publishes.Add(PublishAsync(channels[account].Channel, account, fuzz.Address, id ?? Guid.NewGuid(), fuzz.Body));
                }
                await Task.WhenAll(publishes);
            }
            await Task.WhenAll(watchers);
        }
        finally
        {
            foreach (var (connection, channel) in channels.Values)
            {
                await channel.DisposeAsync();
                await connection.DisposeAsync();
            }
        }
        return sent;
    }

    private static async Task PublishAsync(IChannel channel, string account, string routingKey, Guid messageId, byte[] body)
    {
        // The broker itself closes the channel of an agency writing a routing key outside its topic
        // permission (infra/rabbitmq/definitions.json): such an address never reaches the gateway, so
        // the door is fuzzed with the addresses an agency can write, and the type in the body varies.
        var key = BrokerWritable().IsMatch(routingKey) ? routingKey : IngressTypeNames.RecordBriefing;
        await AgencyClient.PublishAsync(channel, account, key, messageId, body);
    }

    /// <summary>The message id as the gateway reads it: none past the size limit, none if the body is no JSON object.</summary>
    private static Guid? ReadableMessageId(byte[] body)
    {
        if (body.Length > IngressProcessor.MaxBytes)
            return null;
        try
        {
            var root = JsonDocument.Parse(body, new JsonDocumentOptions { AllowDuplicateProperties = false }).RootElement;
            // A string anywhere that does not decode makes the whole message malformed to the gateway.
            Decode(root);
            return
                root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("messageId", out var id)
                && id.ValueKind == JsonValueKind.String
                && id.TryGetGuid(out var parsed)
                ? parsed
                : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    [GeneratedRegex("^(briefings|opinions|supervision|court-reporting)\\.[a-z-]+$")]
    private static partial Regex BrokerWritable();

    private static void Decode(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.String)
            _ = element.GetString();
        else if (element.ValueKind == JsonValueKind.Object)
            foreach (var p in element.EnumerateObject())
            {
                _ = p.Name;
                Decode(p.Value);
            }
        else if (element.ValueKind == JsonValueKind.Array)
            foreach (var item in element.EnumerateArray())
                Decode(item);
    }

    private static (string Summary, string Envelope) ValidBriefing(string door)
    {
        var envelope = IngressOverHttpTests.Example(IngressTypeNames.RecordBriefing);
        var id = Guid.NewGuid();
        envelope["messageId"] = id.ToString();
        var summary = $"Entre les messages fuzzés ({door}) {id:N}";
        envelope["payload"]!["summary"] = summary;
        return (summary, envelope.ToJsonString());
    }

    private async Task WatchAsync(string summary, Stopwatch sent, string door, ConcurrentBag<(string Door, TimeSpan Latency)> latencies)
    {
        await Poller.UntilAsync(() => BriefingRecordedAsync(summary), $"a valid briefing over {door} recorded", LatencyBound * 4);
        latencies.Add((door, sent.Elapsed));
    }

    private async Task<bool> BriefingRecordedAsync(string summary) =>
        (await _host.GetJsonAsync<List<BriefingView>>("/briefings?territory=75")).Any(b => b.Summary == summary);

    /// <summary>The audit log as the auditor reads it, page after page, kept from one poll to the next.</summary>
    private sealed partial class AuditReader(ServiceHost host)
    {
        private long _after;
        public Dictionary<Guid, string> FirstDecision { get; } = [];
        public int Unreadable { get; private set; }
        public Dictionary<string, int> UnreadableReasons { get; } = [];

        public async Task CatchUpAsync()
        {
            using var auditor = host.ClientFor(DemoPrincipals.Named("auditor"));
            while (true)
            {
                var page = (await auditor.GetFromJsonAsync<JsonElement[]>($"/audit?after={_after}&limit=1000"))!;
                foreach (var entry in page)
                {
                    _after = entry.GetProperty("sequence").GetInt64();
                    var kind = entry.GetProperty("kind").GetString();
                    if (kind is not ("ingress-accepted" or "ingress-rejected"))
                        continue;
                    var reason = entry.GetProperty("reason").GetString() ?? "";
                    var references = entry.GetProperty("references").GetString() ?? "";
                    if (references.Contains("message:unreadable", StringComparison.Ordinal))
                    {
                        Unreadable++;
                        UnreadableReasons[reason] = UnreadableReasons.GetValueOrDefault(reason) + 1;
                    }
                    else if (MessageReference().Match(references) is { Success: true } match)
                        FirstDecision.TryAdd(Guid.Parse(match.Groups[1].Value), reason);
                }
                if (page.Length < 1000)
                    return;
            }
        }

        [GeneratedRegex("message:([0-9a-fA-F-]{36})")]
        private static partial Regex MessageReference();
    }
}

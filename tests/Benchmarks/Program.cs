using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Coordination.Contracts.Briefings;
using Coordination.Testing;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

// Load driver: one run, one broker, two measurements.
//  1. raw RabbitMQ.Client: 1 KB persistent messages, publisher confirms, quorum queue, publish → consume;
//  2. the Briefings service: RecordPenalPolicyBriefing published on RabbitMQ straight to its exchange,
//     timed until the service committed it (briefing row + outbox row + inbox entry in one transaction);
//  3. the same briefings as agencies send them: a JSON envelope on coordination.ingress under the
//     prosecutor's own account, through the gateway (schemas, rules, audit, outbox), until committed.
// Usage: dotnet run -c Release --project tests/Benchmarks -- [--messages N] [--briefings N] [--window N]
// RABBITMQ_URL picks a broker; otherwise a private node of the local rabbitmq-server is started.

var settings = Args(args);
var rawCount = settings.GetValueOrDefault("messages", 5000);
var briefingCount = settings.GetValueOrDefault("briefings", 2000);
var window = settings.GetValueOrDefault("window", 64);

LocalRabbitMq? local = null;
var url = Environment.GetEnvironmentVariable("RABBITMQ_URL");
if (string.IsNullOrWhiteSpace(url))
{
    local = await LocalRabbitMq.StartAsync(TimeSpan.FromSeconds(90));
    url = local.AmqpUrl;
    Console.WriteLine($"broker: local rabbitmq-server {local.Version} (private node, port {local.Port})");
}
else Console.WriteLine("broker: RABBITMQ_URL");
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}; publish window {window}");

try
{
    var raw = await RawBaseline(url, rawCount, window);
    var service = await BriefingsThroughput(url, briefingCount, window, throughGateway: false, local);
    var gateway = await BriefingsThroughput(url, briefingCount, window, throughGateway: true, local);
    Console.WriteLine();
    Console.WriteLine($"{"",-52}{"msgs/s",10}{"p50 ms",10}{"p99 ms",10}");
    Print($"raw RabbitMQ.Client ({rawCount} x 1 KB)", raw);
    Print($"Briefings, published → committed ({briefingCount})", service);
    Print($"via gateway ingress → committed ({briefingCount})", gateway);
    Console.WriteLine($"ratio service/raw: throughput {service.PerSecond / raw.PerSecond:P1}, p50 latency x{service.P50 / raw.P50:F1}, p99 latency x{service.P99 / raw.P99:F1}");
    Console.WriteLine($"ratio gateway path/raw: throughput {gateway.PerSecond / raw.PerSecond:P1}, p50 latency x{gateway.P50 / raw.P50:F1}, p99 latency x{gateway.P99 / raw.P99:F1}");
}
finally
{
    if (local is not null) await local.DisposeAsync();
}
return 0;

static void Print(string name, Result r) => Console.WriteLine($"{name,-52}{r.PerSecond,10:F0}{r.P50,10:F2}{r.P99,10:F2}");

static async Task<Result> RawBaseline(string url, int count, int window)
{
    var factory = new ConnectionFactory { Uri = new Uri(url) };
    await using var connection = await factory.CreateConnectionAsync("benchmark-raw");
    await using var setup = await connection.CreateChannelAsync();
    var queue = $"benchmark-raw-{Guid.NewGuid():N}";
    await setup.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false,
        arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" });

    var sent = new long[count];
    var latencies = new ConcurrentBag<double>();
    var done = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
    var received = 0;
    await using var consume = await connection.CreateChannelAsync();
    await consume.BasicQosAsync(0, 200, false);
    var consumer = new AsyncEventingBasicConsumer(consume);
    consumer.ReceivedAsync += async (_, delivery) =>
    {
        var index = BitConverter.ToInt32(delivery.Body.Span[..4]);
        latencies.Add(Stopwatch.GetElapsedTime(sent[index]).TotalMilliseconds);
        await consume.BasicAckAsync(delivery.DeliveryTag, false);
        if (Interlocked.Increment(ref received) == count) done.TrySetResult(Stopwatch.GetTimestamp());
    };
    await consume.BasicConsumeAsync(queue, autoAck: false, consumer);

    await using var publish = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
    var properties = new BasicProperties { DeliveryMode = DeliveryModes.Persistent, ContentType = "application/octet-stream" };
    var started = Stopwatch.GetTimestamp();
    await Windowed(count, window, async i =>
    {
        var body = new byte[1024];
        BitConverter.TryWriteBytes(body, i);
        sent[i] = Stopwatch.GetTimestamp();
        await publish.BasicPublishAsync("", queue, false, properties, body);
    });
    var finished = await done.Task.WaitAsync(TimeSpan.FromMinutes(5));
    await setup.QueueDeleteAsync(queue);
    return Result.Of(count, Stopwatch.GetElapsedTime(started, finished), latencies);
}

static async Task<Result> BriefingsThroughput(string url, int count, int window, bool throughGateway, LocalRabbitMq? local)
{
    var folder = Directory.CreateTempSubdirectory("coordination-benchmark-").FullName;
    string[] settings = ["--urls=http://127.0.0.1:0", "--Messaging:Transport=RabbitMq", $"--Messaging:RabbitMqUrl={url}",
        $"--Database:Directory={folder}", "--Logging:LogLevel:Default=Warning"];
    var agencyUrl = url;
    if (throughGateway)
    {
        // The prosecutor's own broker account, from the project's definitions.
        var definitions = Repository.File("infra", "rabbitmq", "definitions.json");
        if (local is not null && !(await local.CtlAsync("import_definitions", definitions)).Ok) throw new InvalidOperationException("import_definitions failed");
        agencyUrl = new UriBuilder(url) { UserName = "75-prosecutor", Password = "75-prosecutor-demo-password" }.Uri.ToString();
    }
    var app = throughGateway
        ? Coordination.AllInOne.AllInOneHost.Build(settings)
        : Coordination.Briefings.Program.Build(settings);
    await app.StartAsync();
    try
    {
        // Keyed by the message id the agency chose: through the gateway, the forwarded command carries it as correlation id.
        var published = new ConcurrentDictionary<Guid, long>();
        var latencies = new ConcurrentBag<double>();
        var done = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var committed = 0;
        app.Services.GetRequiredService<IBus>().ConnectConsumeMessageObserver(new CommitObserver((id, at) =>
        {
            if (!published.TryGetValue(id, out var sentAt)) return;
            latencies.Add(Stopwatch.GetElapsedTime(sentAt, at).TotalMilliseconds);
            if (Interlocked.Increment(ref committed) == count) done.TrySetResult(at);
        }));

        var factory = new ConnectionFactory { Uri = new Uri(agencyUrl) };
        await using var connection = await factory.CreateConnectionAsync("benchmark-agency");
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        var exchange = $"{typeof(RecordPenalPolicyBriefing).Namespace}:{nameof(RecordPenalPolicyBriefing)}";
        var urn = $"urn:message:{exchange}";
        var day = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(-1)).ToString("yyyy-MM-dd");
        var summary = new string('s', 600);
        var started = Stopwatch.GetTimestamp();
        await Windowed(count, window, async i =>
        {
            var id = NewId.NextGuid();
            var briefing = new JsonObject
            {
                ["briefedOn"] = day,
                ["prosecutorOffice"] = "Parquet de Paris",
                ["priorityThemes"] = new JsonArray("drug-trafficking", "road-safety"),
                ["summary"] = summary,
            };
            if (throughGateway)
            {
                var agencyEnvelope = new JsonObject
                {
                    ["messageId"] = id.ToString(), ["type"] = "briefings.record-briefing", ["schemaVersion"] = 1, ["territory"] = "75",
                    ["occurredAt"] = DateTimeOffset.UtcNow.ToString("O"), ["payload"] = briefing,
                };
                var agencyProperties = new BasicProperties { DeliveryMode = DeliveryModes.Persistent, ContentType = "application/json", MessageId = id.ToString(), UserId = "75-prosecutor" };
                published[id] = Stopwatch.GetTimestamp();
                await channel.BasicPublishAsync("coordination.ingress", "briefings.record-briefing", false, agencyProperties, Encoding.UTF8.GetBytes(agencyEnvelope.ToJsonString()));
                return;
            }
            briefing["territory"] = i % 2 == 0 ? "75" : "93";
            var envelope = new JsonObject { ["messageId"] = id.ToString(), ["messageType"] = new JsonArray(urn), ["message"] = briefing };
            var properties = new BasicProperties { DeliveryMode = DeliveryModes.Persistent, ContentType = "application/vnd.masstransit+json", MessageId = id.ToString() };
            published[id] = Stopwatch.GetTimestamp();
            await channel.BasicPublishAsync(exchange, "", false, properties, Encoding.UTF8.GetBytes(envelope.ToJsonString()));
        });
        var finished = await done.Task.WaitAsync(TimeSpan.FromMinutes(10));
        return Result.Of(count, Stopwatch.GetElapsedTime(started, finished), latencies);
    }
    finally
    {
        await app.StopAsync();
        await app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(folder, true); } catch (IOException) { }
    }
}

static async Task Windowed(int count, int window, Func<int, Task> publish)
{
    using var gate = new SemaphoreSlim(window);
    var pending = new List<Task>(count);
    for (var i = 0; i < count; i++)
    {
        await gate.WaitAsync();
        var index = i;
        pending.Add(Task.Run(async () => { try { await publish(index); } finally { gate.Release(); } }));
    }
    await Task.WhenAll(pending);
}

static Dictionary<string, int> Args(string[] args)
{
    var result = new Dictionary<string, int>();
    for (var i = 0; i + 1 < args.Length; i += 2) result[args[i].TrimStart('-')] = int.Parse(args[i + 1]);
    return result;
}

sealed record Result(double PerSecond, double P50, double P99)
{
    public static Result Of(int count, TimeSpan elapsed, IEnumerable<double> latencies)
    {
        var sorted = latencies.Order().ToArray();
        double At(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        return new Result(count / elapsed.TotalSeconds, At(0.50), At(0.99));
    }
}

/// <summary>PostConsume runs after the consumer returned, i.e. after its transaction committed.</summary>
sealed class CommitObserver(Action<Guid, long> committed) : IConsumeMessageObserver<RecordPenalPolicyBriefing>
{
    public Task PreConsume(ConsumeContext<RecordPenalPolicyBriefing> context) => Task.CompletedTask;
    public Task PostConsume(ConsumeContext<RecordPenalPolicyBriefing> context)
    {
        committed(context.CorrelationId ?? context.MessageId!.Value, Stopwatch.GetTimestamp());
        return Task.CompletedTask;
    }
    public Task ConsumeFault(ConsumeContext<RecordPenalPolicyBriefing> context, Exception exception) => Task.CompletedTask;
}

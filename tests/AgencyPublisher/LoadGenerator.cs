using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using RabbitMQ.Client;

namespace Coordination.AgencyPublisher;

/// <summary>
/// Open-loop load for tests/Benchmarks, in a process of its own: message i is due at start + i/rate
/// whatever happened to the ones before (a slow confirm never delays the schedule), and carries its
/// due time, so the receiver measures latency from when it should have been sent (no coordinated
/// omission). Due times are Stopwatch timestamps: CLOCK_MONOTONIC on Linux, one clock for every
/// process of the machine.
///
///   AgencyPublisher --load raw|briefings|ingress --url URL --target QUEUE|EXCHANGE --rate N --seconds S --tag T [--user-id ACCOUNT]
///
/// raw: 1 KB bodies to a queue (due time in the first 8 bytes); briefings: RecordPenalPolicyBriefing
/// in a MassTransit envelope on its exchange; ingress: the agency envelope on coordination.ingress.
/// The briefings' summary is "bench TAG DUE ...". Prints "sent N late-max-ms X cpu-ms Y" at the end
/// (its CPU from the first publish to the last confirm).
/// </summary>
public static class LoadGenerator
{
    public static async Task<int> RunAsync(IReadOnlyDictionary<string, string> options)
    {
        string Get(string name) => options.TryGetValue(name, out var value) ? value : throw new ArgumentException($"--{name} is required");
        var mode = Get("load");
        var rate = double.Parse(Get("rate"), System.Globalization.CultureInfo.InvariantCulture);
        var total = (int)Math.Ceiling(rate * double.Parse(Get("seconds"), System.Globalization.CultureInfo.InvariantCulture));
        var target = Get("target");
        var tag = Get("tag");
        var account = options.GetValueOrDefault("user-id");

        var factory = new ConnectionFactory { Uri = new Uri(Get("url")), ClientProvidedName = $"load-{mode}" };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)
        );
        var day = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(-1)).ToString("yyyy-MM-dd");
        var padding = new string('s', 600);
        // Bounds memory, not the schedule: past it the sender is late, and the lateness is measured.
        using var inFlight = new SemaphoreSlim(4096);
        var pending = new List<Task>(total);
        var interval = Stopwatch.Frequency / rate;
        var cpuBefore = CpuMilliseconds();
        var start = Stopwatch.GetTimestamp();
        var lateMax = 0L;
        for (var i = 0; i < total; i++)
        {
            var due = start + (long)(i * interval);
            while (Stopwatch.GetTimestamp() < due)
            {
                var wait = TimeSpan.FromTicks((due - Stopwatch.GetTimestamp()) * TimeSpan.TicksPerSecond / Stopwatch.Frequency);
                if (wait > TimeSpan.FromMilliseconds(1))
                    await Task.Delay(wait);
                else
                    Thread.SpinWait(50);
            }
            lateMax = Math.Max(lateMax, Stopwatch.GetTimestamp() - due);
            await inFlight.WaitAsync();
            var (exchange, routingKey, properties, body) = Message(mode, target, tag, due, day, padding, account);
            pending.Add(Publish(channel, exchange, routingKey, properties, body, inFlight));
        }
        await Task.WhenAll(pending);
        var cpu = CpuMilliseconds() - cpuBefore;
        Console.WriteLine(
            FormattableString.Invariant($"sent {total} late-max-ms {lateMax * 1000.0 / Stopwatch.Frequency:F1} cpu-ms {cpu:F0}")
        );
        return 0;
    }

    /// <summary>User + system time of this process from /proc/self/stat (fields 14 and 15, in clock ticks of 10 ms).</summary>
    private static double CpuMilliseconds()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11]) + long.Parse(fields[12])) * 10.0;
    }

    private static async Task Publish(
        IChannel channel,
        string exchange,
        string routingKey,
        BasicProperties properties,
        byte[] body,
        SemaphoreSlim inFlight
    )
    {
        try
        {
            await channel.BasicPublishAsync(exchange, routingKey, false, properties, body);
        }
        finally
        {
            inFlight.Release();
        }
    }

    private static (string Exchange, string RoutingKey, BasicProperties Properties, byte[] Body) Message(
        string mode,
        string target,
        string tag,
        long due,
        string day,
        string padding,
        string? account
    )
    {
        var id = Guid.NewGuid();
        if (mode == "raw")
        {
            var raw = new byte[1024];
            BitConverter.TryWriteBytes(raw, due);
            return (
                "",
                target,
                new BasicProperties { DeliveryMode = DeliveryModes.Persistent, ContentType = "application/octet-stream" },
                raw
            );
        }
        var briefing = new JsonObject
        {
            ["briefedOn"] = day,
            ["prosecutorOffice"] = "Parquet de Paris",
            ["priorityThemes"] = new JsonArray("drug-trafficking", "road-safety"),
            ["summary"] = $"bench {tag} {due} {padding}",
        };
        if (mode == "ingress")
        {
            var envelope = new JsonObject
            {
                ["messageId"] = id.ToString(),
                ["type"] = "briefings.record-briefing",
                ["schemaVersion"] = 1,
                ["territory"] = "75",
                ["occurredAt"] = DateTimeOffset.UtcNow.ToString("O"),
                ["payload"] = briefing,
            };
            return (
                target,
                "briefings.record-briefing",
                new BasicProperties
                {
                    DeliveryMode = DeliveryModes.Persistent,
                    ContentType = "application/json",
                    MessageId = id.ToString(),
                    UserId = account,
                },
                Encoding.UTF8.GetBytes(envelope.ToJsonString())
            );
        }
        briefing["territory"] = "75";
        var urn = $"urn:message:{target}";
        var masstransit = new JsonObject
        {
            ["messageId"] = id.ToString(),
            ["messageType"] = new JsonArray(urn),
            ["message"] = briefing,
        };
        return (
            target,
            "",
            new BasicProperties
            {
                DeliveryMode = DeliveryModes.Persistent,
                ContentType = "application/vnd.masstransit+json",
                MessageId = id.ToString(),
            },
            Encoding.UTF8.GetBytes(masstransit.ToJsonString())
        );
    }
}

using System.Diagnostics;
using System.Globalization;
using Coordination.Briefings.Persistence;
using Coordination.Contracts.Briefings;
using Coordination.Gateway.Persistence;
using Coordination.Testing;
using HdrHistogram;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Coordination.Benchmarks;

public enum PathKind
{
    Raw,
    Briefings,
    Gateway,
}

public sealed record Percentiles(double P50, double P99, double P999, double Max, long Count)
{
    /// <summary>From a histogram of microseconds, in milliseconds.</summary>
    public static Percentiles Of(LongHistogram histogram) =>
        new(
            histogram.GetValueAtPercentile(50) / 1000.0,
            histogram.GetValueAtPercentile(99) / 1000.0,
            histogram.GetValueAtPercentile(99.9) / 1000.0,
            histogram.GetMaxValue() / 1000.0,
            histogram.TotalCount
        );
}

/// <summary>CPU time per message of each process during a latency measurement, in microseconds.</summary>
public sealed record CpuPerMessage(double Host, double Generator, double Broker);

public sealed record PathFigures(
    double MaxRate,
    double Rate,
    Percentiles Latency,
    Percentiles RawLatency,
    CpuPerMessage Cpu,
    CpuPerMessage RawCpu
);

public sealed class RunResult
{
    public double RawMax { get; set; }
    public Dictionary<PathKind, PathFigures> Paths { get; } = [];
    public ProcessResult Processes { get; set; } = new([], 0, 0);
}

/// <summary>
/// What arrived, for the phase under way only: counts every message of its tag, and records its
/// latency from its due time (the generator's schedule, not when it managed to send it).
/// </summary>
public sealed class Sink
{
    private readonly Lock _lock = new();
    private string? _tag;
    private LongHistogram? _histogram;
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public void Begin(string tag, bool record)
    {
        lock (_lock)
        {
            _tag = tag;
            _count = 0;
            _histogram = record ? new LongHistogram(TimeSpan.FromMinutes(10).Ticks / 10, 3) : null;
        }
    }

    public void Arrived(string tag, long due, long now)
    {
        if (!string.Equals(tag, Volatile.Read(ref _tag), StringComparison.Ordinal))
            return;
        Interlocked.Increment(ref _count);
        var histogram = _histogram;
        if (histogram is null)
            return;
        var micros = Math.Max(0, (now - due) * 1_000_000 / Stopwatch.Frequency);
        lock (_lock)
            histogram.RecordValue(Math.Min(micros, histogram.HighestTrackableValue));
    }

    /// <summary>A raw message: its queue belongs to the phase under way.</summary>
    public void ArrivedUntagged(long due, long now) => Arrived(Volatile.Read(ref _tag)!, due, now);

    public LongHistogram Histogram()
    {
        lock (_lock)
            return (LongHistogram)_histogram!.Copy();
    }
}

/// <summary>PostConsume runs after the consumer returned, i.e. after its transaction committed.</summary>
public sealed class CommitObserver(Sink sink) : IConsumeMessageObserver<RecordPenalPolicyBriefing>
{
    public Task PreConsume(ConsumeContext<RecordPenalPolicyBriefing> context) => Task.CompletedTask;

    public Task PostConsume(ConsumeContext<RecordPenalPolicyBriefing> context)
    {
        var now = Stopwatch.GetTimestamp();
        // "bench TAG DUE padding", written by the load generator.
        var parts = context.Message.Summary.Split(' ', 4);
        if (parts.Length >= 3 && parts[0] == "bench" && long.TryParse(parts[2], out var due))
            sink.Arrived(parts[1], due, now);
        return Task.CompletedTask;
    }

    public Task ConsumeFault(ConsumeContext<RecordPenalPolicyBriefing> context, Exception exception) => Task.CompletedTask;
}

public sealed record GeneratorResult(int Sent, double LateMaxMs, double CpuMs);

public sealed class PathBenchmarks(string url, LocalRabbitMq? local, BenchmarkOptions options)
{
    private const string BriefingsQueue = "briefings-record-penal-policy-briefing";
    private static readonly string BriefingsExchange = $"{typeof(RecordPenalPolicyBriefing).Namespace}:{nameof(RecordPenalPolicyBriefing)}";
    private readonly Sink _sink = new();
    private string? _rawQueue;
    private WebApplication? _host;

    /// <summary>Raw RabbitMQ alone: the highest step rate whose queue stays bounded.</summary>
    public async Task<double> FindMaxRateAsync(PathKind kind)
    {
        await using var raw = kind == PathKind.Raw ? await RawConsumer.StartAsync(url, _sink) : null;
        _rawQueue = raw?.Queue;
        return await StepSearchAsync(kind);
    }

    public async Task<PathFigures> MeasureServicePathAsync(PathKind kind)
    {
        var folder = Directory.CreateTempSubdirectory("coordination-benchmark-").FullName;
        string[] settings =
        [
            "--environment=Development",
            "--urls=http://127.0.0.1:0",
            "--Messaging:Transport=RabbitMq",
            $"--Messaging:RabbitMqUrl={url}",
            $"--Database:Directory={folder}",
            "--Logging:LogLevel:Default=Warning",
        ];
        _host =
            kind == PathKind.Gateway ? Coordination.AllInOne.AllInOneHost.Build(settings) : Coordination.Briefings.Program.Build(settings);
        await _host.StartAsync();
        try
        {
            // The all-in-one host seeds the demo data (the prosecutor's account, the directory) once it
            // listens: a load started before /health/ready would measure the refusals of the first messages.
            using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) })
            {
                var ready = $"{Coordination.ServiceDefaults.Hosting.CoordinationHost.LocalAddressOf(_host.Urls.First())}/health/ready";
                await Poller.UntilAsync(
                    async () =>
                    {
                        try
                        {
                            return (await http.GetAsync(ready)).IsSuccessStatusCode;
                        }
                        catch (HttpRequestException)
                        {
                            return false;
                        }
                    },
                    $"{Name(kind)}: the host ready",
                    TimeSpan.FromSeconds(60)
                );
            }
            _host.Services.GetRequiredService<IBus>().ConnectConsumeMessageObserver(new CommitObserver(_sink));
            // Without the step search, a first pass at the rate warms the host (its code tiered up) as the search would.
            if (options.At is { } at)
            {
                var warm = NewTag();
                _sink.Begin(warm, record: false);
                await DrainAsync(kind, (await GenerateAsync(kind, at, options.Latency, warm)).Sent, TimeSpan.FromSeconds(60));
            }
            var max = options.At ?? await StepSearchAsync(kind);
            var rate = options.At ?? Math.Max(1, max / 2);
            var (latency, cpu) = await MeasureLatencyAsync(kind, rate);
            Console.WriteLine(
                $"  {Name(kind)} at {rate:F0}/s: p50 {latency.P50:F1} ms, p99 {latency.P99:F1} ms, "
                    + $"p99.9 {latency.P999:F1} ms, max {latency.Max:F1} ms "
                    + $"({latency.Count} messages); CPU µs/msg host {cpu.Host:F0}, generator {cpu.Generator:F0}, broker {cpu.Broker:F0}"
            );
            await using var raw = await RawConsumer.StartAsync(url, _sink);
            _rawQueue = raw.Queue;
            var (rawLatency, rawCpu) = await MeasureLatencyAsync(PathKind.Raw, rate);
            Console.WriteLine(
                $"  raw at {rate:F0}/s: p50 {rawLatency.P50:F1} ms, p99 {rawLatency.P99:F1} ms, "
                    + $"p99.9 {rawLatency.P999:F1} ms, max {rawLatency.Max:F1} ms"
            );
            return new PathFigures(max, rate, latency, rawLatency, cpu, rawCpu);
        }
        finally
        {
            await _host.StopAsync();
            await _host.DisposeAsync();
            _host = null;
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(folder, true);
            }
            catch (IOException) { }
        }
    }

    public static string Name(PathKind kind) =>
        kind switch
        {
            PathKind.Raw => "raw RabbitMQ.Client, single hop",
            PathKind.Briefings => "Briefings, published → committed",
            _ => "agency → gateway → Briefings committed",
        };

    /// <summary>
    /// Rates rise by a factor until a step leaves a backlog (queue depth + unsent outbox, or messages
    /// sent and not yet committed) above one second of the step's rate (200 messages at least), or the
    /// generator itself falls half a second behind its schedule; one step between the last good and the
    /// first bad refines it. A first step that fails is followed by lower ones.
    /// </summary>
    private async Task<double> StepSearchAsync(PathKind kind)
    {
        var rate = kind == PathKind.Raw ? 1000.0 : 50.0;
        var factor = options.Quick ? 2.0 : 1.6;
        var best = 0.0;
        double? failed = null;
        for (var step = 0; step < options.MaxSteps; step++)
        {
            var tag = NewTag();
            _sink.Begin(tag, record: false);
            var generated = await GenerateAsync(kind, rate, options.Step, tag);
            var backlog = await BacklogAsync(kind);
            var unfinished = generated.Sent - _sink.Count;
            var bound = Math.Max(200, rate);
            var kept = backlog <= bound && unfinished <= bound && generated.LateMaxMs < 500;
            Console.WriteLine(
                $"  {Name(kind)}: step {rate, 7:F0}/s: {(kept ? "kept up" : "fell behind")} "
                    + $"(backlog {backlog}, unfinished {unfinished}, bound {bound:F0}, "
                    + $"generator late by {generated.LateMaxMs:F0} ms at most)"
            );
            await DrainAsync(kind, generated.Sent, TimeSpan.FromSeconds(60));
            if (kept)
            {
                best = Math.Max(best, rate);
                if (failed is not null)
                    break;
                rate *= factor;
            }
            else if (best == 0)
            {
                // Not even the first step: go down until one holds.
                if (rate <= 5)
                    break;
                rate = Math.Max(5, rate / factor);
            }
            else
            {
                if (failed is not null)
                    break;
                failed = rate;
                rate = Math.Sqrt(best * rate);
            }
        }
        return best;
    }

    private async Task<(Percentiles, CpuPerMessage)> MeasureLatencyAsync(PathKind kind, double rate)
    {
        var tag = NewTag();
        _sink.Begin(tag, record: true);
        var broker = local?.ProcessId();
        var (hostBefore, brokerBefore) = (
            ProcStat.CpuMilliseconds(Environment.ProcessId),
            broker is { } b ? ProcStat.CpuMilliseconds(b) : 0
        );
        var generated = await GenerateAsync(kind, rate, options.Latency, tag);
        await DrainAsync(kind, generated.Sent, TimeSpan.FromSeconds(120));
        var (hostAfter, brokerAfter) = (ProcStat.CpuMilliseconds(Environment.ProcessId), broker is { } a ? ProcStat.CpuMilliseconds(a) : 0);
        var perMessage = 1000.0 / Math.Max(1, generated.Sent);
        return (
            Percentiles.Of(_sink.Histogram()),
            new CpuPerMessage(
                (hostAfter - hostBefore) * perMessage,
                generated.CpuMs * perMessage,
                (brokerAfter - brokerBefore) * perMessage
            )
        );
    }

    private async Task DrainAsync(PathKind kind, int sent, TimeSpan timeout)
    {
        // Outbox rows of the last messages are sent too, so that the next step starts from nothing. Not drained
        // in time is a finding of the step, not a failure of the run: what is left is purged below.
        try
        {
            await Poller.UntilAsync(async () => _sink.Count >= sent && await BacklogAsync(kind) == 0, "the step drained", timeout);
        }
        catch (TimeoutException) { }
        if (_sink.Count < sent)
        {
            Console.WriteLine($"  (not drained in {timeout.TotalSeconds:F0} s: {sent - _sink.Count} left; purging)");
            await PurgeAsync(kind);
        }
    }

    private async Task<long> BacklogAsync(PathKind kind)
    {
        long depth = 0;
        foreach (var queue in Queues(kind))
            depth += await DepthAsync(queue);
        if (_host is null || kind == PathKind.Raw)
            return depth;
        await using var scope = _host.Services.CreateAsyncScope();
        depth += await scope.ServiceProvider.GetRequiredService<BriefingsDbContext>().OutboxMessages.CountAsync(m => m.SentAt == null);
        if (kind == PathKind.Gateway)
            depth += await scope.ServiceProvider.GetRequiredService<GatewayDbContext>().OutboxMessages.CountAsync(m => m.SentAt == null);
        return depth;
    }

    private IEnumerable<string> Queues(PathKind kind) =>
        kind switch
        {
            PathKind.Raw => [_rawQueue!],
            PathKind.Briefings => [BriefingsQueue],
            _ => ["gateway-ingress", BriefingsQueue],
        };

    private async Task<long> DepthAsync(string queue)
    {
        await using var connection = await new ConnectionFactory { Uri = new Uri(url) }.CreateConnectionAsync();
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

    private async Task PurgeAsync(PathKind kind)
    {
        await using var connection = await new ConnectionFactory { Uri = new Uri(url) }.CreateConnectionAsync();
        foreach (var queue in Queues(kind))
        {
            await using var channel = await connection.CreateChannelAsync();
            try
            {
                await channel.QueuePurgeAsync(queue);
            }
            catch (OperationInterruptedException) { }
        }
    }

    private static string NewTag() => Guid.NewGuid().ToString("N")[..12];

    private async Task<GeneratorResult> GenerateAsync(PathKind kind, double rate, TimeSpan duration, string tag)
    {
        var (mode, target, account) = kind switch
        {
            PathKind.Raw => ("raw", _rawQueue!, null),
            PathKind.Briefings => ("briefings", BriefingsExchange, null),
            _ => ("ingress", AgencyClient.IngressExchange, "75-prosecutor"),
        };
        var generatorUrl = account is null ? url : AgencyClient.UrlAs(url, account);
        var arguments = new List<string>
        {
            "--load",
            mode,
            "--url",
            generatorUrl,
            "--target",
            target,
            "--rate",
            rate.ToString("F2", CultureInfo.InvariantCulture),
            "--seconds",
            duration.TotalSeconds.ToString(CultureInfo.InvariantCulture),
            "--tag",
            tag,
        };
        if (account is not null)
            arguments.AddRange(["--user-id", account]);
        var output = await AgencyProcess.RunAsync(arguments, null, duration + TimeSpan.FromMinutes(2));
        var words = output.Trim().Split(' ');
        return new GeneratorResult(
            int.Parse(words[1], CultureInfo.InvariantCulture),
            double.Parse(words[3], CultureInfo.InvariantCulture),
            double.Parse(words[5], CultureInfo.InvariantCulture)
        );
    }

    /// <summary>A quorum queue of its own and a consumer in this process: the raw single hop.</summary>
    private sealed class RawConsumer : IAsyncDisposable
    {
        private IConnection _connection = null!;
        public string Queue { get; private init; } = "";

        public static async Task<RawConsumer> StartAsync(string url, Sink sink)
        {
            var consumer = new RawConsumer { Queue = $"benchmark-raw-{Guid.NewGuid():N}" };
            consumer._connection = await new ConnectionFactory
            {
                Uri = new Uri(url),
                ClientProvidedName = "benchmark-raw-consumer",
            }.CreateConnectionAsync();
            var channel = await consumer._connection.CreateChannelAsync();
            await channel.QueueDeclareAsync(
                consumer.Queue,
                durable: true,
                exclusive: false,
                autoDelete: false,
                arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" }
            );
            await channel.BasicQosAsync(0, 200, false);
            var receiver = new AsyncEventingBasicConsumer(channel);
            receiver.ReceivedAsync += async (_, delivery) =>
            {
                sink.ArrivedUntagged(BitConverter.ToInt64(delivery.Body.Span[..8]), Stopwatch.GetTimestamp());
                await channel.BasicAckAsync(delivery.DeliveryTag, false);
            };
            await channel.BasicConsumeAsync(consumer.Queue, autoAck: false, receiver);
            return consumer;
        }

        public async ValueTask DisposeAsync()
        {
            await using (var channel = await _connection.CreateChannelAsync())
                await channel.QueueDeleteAsync(Queue);
            await _connection.DisposeAsync();
        }
    }
}

public static class ProcStat
{
    /// <summary>User + system time of a process from /proc/&lt;pid&gt;/stat (fields 14 and 15, clock ticks of 10 ms).</summary>
    public static double CpuMilliseconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * 10.0;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>Resident set size from /proc/&lt;pid&gt;/status (VmRSS), in MB.</summary>
    public static double RssMegabytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    }
}

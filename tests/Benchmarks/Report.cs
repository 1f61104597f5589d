using System.Globalization;

namespace Coordination.Benchmarks;

/// <summary>The markdown table: each figure as the median of the runs, with their range.</summary>
public static class Report
{
    /// <summary>1, 5 and 15 minutes, from /proc/loadavg: another program's load shows in every figure.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" / ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static string SpreadOf(IReadOnlyList<RunResult> runs, Func<RunResult, double> of, string format = "F0")
    {
        var values = runs.Select(of).Order().ToList();
        var median = values.Count % 2 == 1 ? values[values.Count / 2] : (values[values.Count / 2 - 1] + values[values.Count / 2]) / 2;
        string F(double v) => v.ToString(format, CultureInfo.InvariantCulture);
        return values.Count == 1 ? F(median) : $"{F(median)} ({F(values[0])}–{F(values[^1])})";
    }

    /// <summary>Ready time and idle RSS per process: the whole table's, or alone for <c>--processes</c>.</summary>
    public static void PrintProcesses(IReadOnlyList<RunResult> runs)
    {
        string Spread(Func<RunResult, double> of) => SpreadOf(runs, of);
        Console.WriteLine("| process | ready on an existing database, ms | idle RSS, MB |");
        Console.WriteLine("|---|---|---|");
        foreach (var service in runs[0].Processes.Services.Keys)
            Console.WriteLine(
                $"| {service} | {Spread(r => r.Processes.Services[service].ReadyMs)} | {Spread(r => r.Processes.Services[service].RssMb)} |"
            );
        Console.WriteLine(
            $"| AllInOne (in-memory bus) | {Spread(r => r.Processes.AllInOneReadyMs)} | {Spread(r => r.Processes.AllInOneIdleRssMb)} |"
        );
    }

    public static void Print(IReadOnlyList<RunResult> runs, MicroResult micro, BenchmarkOptions options, TimeSpan elapsed)
    {
        string Spread(Func<RunResult, double> of, string format = "F0") => SpreadOf(runs, of, format);

        Console.WriteLine(
            $"### Benchmark: {runs.Count} run(s), median (range); {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd}"
        );
        Console.WriteLine();
        Console.WriteLine(
            "| path | max msg/s (step load) | share of raw max | latency at half max: rate | "
                + "p50 ms | p99 ms | p99.9 ms | max ms | raw at that rate: p50 / p99 / p99.9 / max ms |"
        );
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        Console.WriteLine($"| {PathBenchmarks.Name(PathKind.Raw)} | {Spread(r => r.RawMax)} | — | — | — | — | — | — | — |");
        foreach (var kind in new[] { PathKind.Briefings, PathKind.Gateway })
        {
            PathFigures P(RunResult r) => r.Paths[kind];
            Console.WriteLine(
                $"| {PathBenchmarks.Name(kind)} | {Spread(r => P(r).MaxRate)} | "
                    + $"{Spread(r => 100 * P(r).MaxRate / Math.Max(1, r.RawMax), "F1")} % | "
                    + $"{Spread(r => P(r).Rate)} | {Spread(r => P(r).Latency.P50, "F1")} | {Spread(r => P(r).Latency.P99, "F1")} | "
                    + $"{Spread(r => P(r).Latency.P999, "F1")} | {Spread(r => P(r).Latency.Max, "F1")} | "
                    + $"{Spread(r => P(r).RawLatency.P50, "F1")} / {Spread(r => P(r).RawLatency.P99, "F1")} / "
                    + $"{Spread(r => P(r).RawLatency.P999, "F1")} / {Spread(r => P(r).RawLatency.Max, "F1")} |"
            );
        }
        Console.WriteLine();
        Console.WriteLine("| CPU µs per message, at half max | host process (service + measuring) | load generator | broker |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var kind in new[] { PathKind.Briefings, PathKind.Gateway })
        {
            Console.WriteLine(
                $"| {PathBenchmarks.Name(kind)} | {Spread(r => r.Paths[kind].Cpu.Host)} | "
                    + $"{Spread(r => r.Paths[kind].Cpu.Generator)} | {Spread(r => r.Paths[kind].Cpu.Broker)} |"
            );
            Console.WriteLine(
                $"| raw at that rate | {Spread(r => r.Paths[kind].RawCpu.Host)} | "
                    + $"{Spread(r => r.Paths[kind].RawCpu.Generator)} | {Spread(r => r.Paths[kind].RawCpu.Broker)} |"
            );
        }
        Console.WriteLine();
        PrintProcesses(runs);
        Console.WriteLine();
        Console.WriteLine("| domain work | time |");
        Console.WriteLine("|---|---|");
        foreach (var (kb, us) in micro.Release)
            Console.WriteLine(
                FormattableString.Invariant($"| release decision (open, rules, compose, seal), {kb} KB | {us:F0} µs = {us / kb:F1} µs/KB |")
            );
        Console.WriteLine(
            FormattableString.Invariant($"| court report over {micro.CourtReportCases:N0} cases ({micro.CourtReportFacts:N0} facts), ")
                + FormattableString.Invariant($"staged and committed | {micro.CourtReportMs:F0} ms |")
        );
        Console.WriteLine();
        Console.WriteLine($"Total benchmark time: {elapsed.TotalSeconds:F0} s ({options}); load average at the end: {LoadAverage()}.");
    }
}

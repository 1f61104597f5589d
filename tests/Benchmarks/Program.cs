using System.Diagnostics;
using System.Globalization;
using Coordination.Benchmarks;
using Coordination.Testing;

// The pipeline against the broker it runs on, measured open-loop:
//  1. raw RabbitMQ.Client: 1 KB persistent messages, publisher confirms, quorum queue, one hop publish → consume;
//  2. Briefings: RecordPenalPolicyBriefing published to its exchange, until the service committed it;
//  3. agency → gateway → Briefings: the agency's JSON envelope on coordination.ingress under the
//     prosecutor's own account, through the gateway (schemas, rules, audit, outbox), until Briefings committed it.
// For each path and run: a step load finds the highest rate the path keeps up with (a step counts
// only if queue depth and unsent outbox stay bounded), then latency is measured at half of it, and
// raw RabbitMQ at that same rate. The load generator is its own process (tests/AgencyPublisher
// --load). Then: each service's ready time on an existing database and its idle RSS, the all-in-one
// host's idle RSS, a release decision (rules + sealing) per KB and a court report over 10,000 cases.
//
//   dotnet run -c Release --project tests/Benchmarks -- [--runs 3] [--quick] [--micro] [--processes]
//
// RABBITMQ_URL picks a broker (with infra/rabbitmq/definitions.json imported); otherwise a private
// node of the local rabbitmq-server is started. Prints a markdown table at the end.

// --micro: the in-process timings only (release decision, court report), with no broker.
if (args.Contains("--micro"))
{
    MicroBenchmarks.Run(BenchmarkOptions.Parse(args.Where(a => a != "--micro").ToArray()));
    return 0;
}
var options = BenchmarkOptions.Parse(args);
var total = Stopwatch.StartNew();
LocalRabbitMq? local = null;
var url = Environment.GetEnvironmentVariable("RABBITMQ_URL");
if (string.IsNullOrWhiteSpace(url))
{
    local = await LocalRabbitMq.StartAsync(TimeSpan.FromSeconds(90));
    url = local.AmqpUrl;
    var (imported, output) = await local.CtlAsync("import_definitions", Repository.File("infra", "rabbitmq", "definitions.json"));
    if (!imported)
        throw new InvalidOperationException($"import_definitions failed: {output}");
    Console.WriteLine($"broker: local rabbitmq-server {local.Version} (private node, port {local.Port}, pid {local.ProcessId()})");
}
else
    Console.WriteLine("broker: RABBITMQ_URL (definitions.json must be imported)");
Console.WriteLine(
    $"machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}, load average {Report.LoadAverage()}; {options}"
);

var results = new List<RunResult>();
try
{
    var bench = new PathBenchmarks(url, local, options);
    var processes = new ProcessFigures(url, options);
    for (var run = 1; run <= options.Runs; run++)
    {
        Console.WriteLine($"\n== run {run} of {options.Runs} ({total.Elapsed.TotalSeconds:F0} s so far)");
        var result = new RunResult();
        if (options.ProcessesOnly)
        {
            result.Processes = await processes.MeasureAsync();
            results.Add(result);
            continue;
        }
        result.RawMax = options.At ?? await bench.FindMaxRateAsync(PathKind.Raw);
        foreach (var kind in options.Paths)
        {
            var figures = await bench.MeasureServicePathAsync(kind);
            result.Paths[kind] = figures;
        }
        if (!options.OnePath)
            result.Processes = await processes.MeasureAsync();
        results.Add(result);
    }
    // --path: a profiling run of one path; its figures are the lines above, not a table.
    if (options.OnePath)
        return 0;
    if (options.ProcessesOnly)
    {
        Console.WriteLine($"\n### Processes: {results.Count} run(s), median (range); load average at the end: {Report.LoadAverage()}\n");
        Report.PrintProcesses(results);
        return 0;
    }
    var micro = MicroBenchmarks.Run(options);
    Console.WriteLine();
    Report.Print(results, micro, options, total.Elapsed);
}
finally
{
    if (local is not null)
        await local.DisposeAsync();
}
return 0;

namespace Coordination.Benchmarks
{
    public sealed record BenchmarkOptions(int Runs, bool Quick, TimeSpan Step, TimeSpan Latency, int MaxSteps)
    {
        public IReadOnlyList<PathKind> Paths { get; init; } = [PathKind.Briefings, PathKind.Gateway];

        /// <summary>--at RATE: no step search, latency and CPU at that rate only (to compare two builds or settings).</summary>
        public double? At { get; init; }

        /// <summary>--processes: each process's ready time and idle RSS only, on a broker no load path has used.</summary>
        public bool ProcessesOnly { get; init; }

        /// <summary>Only the path named by --path (with raw, for its share): no process figures, no table.</summary>
        public bool OnePath => Paths.Count == 1;

        public static BenchmarkOptions Parse(string[] args)
        {
            var runs = 3;
            var quick = false;
            PathKind? path = null;
            double? at = null;
            var processesOnly = false;
            for (var i = 0; i < args.Length; i++)
            {
                switch (args[i])
                {
                    case "--runs":
                        runs = int.Parse(args[++i], CultureInfo.InvariantCulture);
                        break;
                    case "--quick":
                        quick = true;
                        break;
                    case "--at":
                        at = double.Parse(args[++i], CultureInfo.InvariantCulture);
                        break;
                    case "--processes":
                        processesOnly = true;
                        break;
                    case "--path":
                        path = Enum.Parse<PathKind>(args[++i], ignoreCase: true);
                        break;
                    default:
                        throw new ArgumentException(
                            $"unknown argument '{args[i]}' (--runs N, --quick, --path briefings|gateway, --at RATE, --processes)"
                        );
                }
            }
            var options = quick
                ? new BenchmarkOptions(args.Contains("--runs") ? runs : 1, true, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), 8)
                : new BenchmarkOptions(runs, false, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(8), 10);
            options = options with { At = at, ProcessesOnly = processesOnly };
            return path is { } one ? options with { Paths = [one] } : options;
        }

        public override string ToString() =>
            $"{Runs} run(s), steps of {Step.TotalSeconds:F0} s (at most {MaxSteps}), "
            + $"latency over {Latency.TotalSeconds:F0} s{(Quick ? ", quick" : "")}";
    }
}

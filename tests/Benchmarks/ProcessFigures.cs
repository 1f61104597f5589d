using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Coordination.Testing;

namespace Coordination.Benchmarks;

public sealed record ProcessResult(
    Dictionary<string, (double ReadyMs, double RssMb)> Services,
    double AllInOneReadyMs,
    double AllInOneIdleRssMb
);

/// <summary>
/// Each service as its own process, published as its image publishes it (Release, linux-x64,
/// ReadyToRun, framework-dependent), started on a database it made before: the time from process
/// start to the first 200 on /health/ready, and its resident memory once idle. The all-in-one host
/// likewise, on the in-memory bus as the README runs it.
/// </summary>
public sealed class ProcessFigures(string url, BenchmarkOptions options)
{
    /// <summary>The catalogue's services on the bus (infra/services.json), by their project folder.</summary>
    private static readonly string[] Services = ServiceCatalogue.OnTheBus().Select(ServiceCatalogue.FolderOf).ToArray();
    private readonly string _root = Directory.CreateTempSubdirectory("coordination-benchmark-processes-").FullName;
    private bool _databasesMade;

    public async Task<ProcessResult> MeasureAsync()
    {
        if (!_databasesMade)
        {
            foreach (var service in Services.Append("AllInOne"))
                await PublishAsync(service);
            // First start: migrations create the databases and keys; not what is measured.
            foreach (var service in Services)
                await StartMeasureStopAsync(service, Bus(service));
            await StartMeasureStopAsync("AllInOne", ["--Messaging:Transport=InMemory"]);
            _databasesMade = true;
        }
        var services = new Dictionary<string, (double, double)>();
        foreach (var service in Services)
        {
            var figures = await StartMeasureStopAsync(service, Bus(service));
            services[service] = figures;
            Console.WriteLine($"  {service}: ready in {figures.ReadyMs:F0} ms on an existing database, idle RSS {figures.RssMb:F0} MB");
        }
        var (allInOneReady, allInOneRss) = await StartMeasureStopAsync(
            "AllInOne",
            ["--Messaging:Transport=InMemory"],
            idle: TimeSpan.FromSeconds(options.Quick ? 3 : 8)
        );
        Console.WriteLine($"  AllInOne: ready in {allInOneReady:F0} ms, idle RSS {allInOneRss:F0} MB");
        return new ProcessResult(services, allInOneReady, allInOneRss);
    }

    private string[] Bus(string service) => ["--Messaging:Transport=RabbitMq", $"--Messaging:RabbitMqUrl={url}"];

    private async Task<(double ReadyMs, double RssMb)> StartMeasureStopAsync(string service, string[] settings, TimeSpan? idle = null)
    {
        var dll = Path.Combine(_root, "published", service, $"Coordination.{service}.dll");
        if (!File.Exists(dll))
            throw new FileNotFoundException("The service's published output is missing.", dll);
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(dll);
        foreach (
            var argument in new[]
            {
                "--environment=Development",
                $"--urls=http://127.0.0.1:{port}",
                $"--Database:Directory={Path.Combine(_root, service)}",
                "--Logging:LogLevel:Default=Warning",
            }.Concat(settings)
        )
            start.ArgumentList.Add(argument);
        start.Environment.Remove("ASPNETCORE_URLS");
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            double? ready = null;
            while (clock.Elapsed < TimeSpan.FromSeconds(120) && !process.HasExited)
            {
                try
                {
                    if ((await http.GetAsync($"http://127.0.0.1:{port}/health/ready")).IsSuccessStatusCode)
                    {
                        ready = clock.Elapsed.TotalMilliseconds;
                        break;
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
                await Task.Delay(10);
            }
            if (ready is null)
                throw new InvalidOperationException($"{service} did not become ready (exited: {process.HasExited})");
            await Task.Delay(idle ?? TimeSpan.FromSeconds(options.Quick ? 1 : 3));
            return (ready.Value, ProcStat.RssMegabytes(process.Id));
        }
        finally
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    /// <summary>As the service's Dockerfile does (<c>dotnet publish -c Release -r linux-x64 --no-self-contained</c>).</summary>
    private async Task PublishAsync(string service)
    {
        var clock = Stopwatch.StartNew();
        var publish = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (
            var argument in new[]
            {
                "publish",
                Repository.File("services", service, $"Coordination.{service}.csproj"),
                "-c",
                "Release",
                "-r",
                "linux-x64",
                "--no-self-contained",
                "-o",
                Path.Combine(_root, "published", service),
            }
        )
            publish.ArgumentList.Add(argument);
        using var process = Process.Start(publish)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"dotnet publish {service} failed:\n{await output}\n{await errors}");
        Console.WriteLine($"  {service}: published (linux-x64, ReadyToRun) in {clock.Elapsed.TotalSeconds:F0} s");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

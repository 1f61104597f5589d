using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Coordination.Testing;

namespace Coordination.IntegrationTests.Support;

/// <summary>
/// One service's own build output run as its own operating-system process, as its image runs it
/// (<c>dotnet Coordination.&lt;Service&gt;.dll</c>), on a port of its own. <see cref="Kill"/> is
/// <c>kill -9</c>: no shutdown hook, no flush, no last ack.
/// </summary>
public sealed class ServiceProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    private ServiceProcess(string service, int port, Process process, string developmentKeyFile)
    {
        Service = service;
        Port = port;
        _process = process;
        _developmentKeyFile = developmentKeyFile;
    }

    /// <summary>The development key the process trusts: where its settings put it, or its data folder's default.</summary>
    private readonly string _developmentKeyFile;

    public string Service { get; }
    public int Port { get; }
    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;

    /// <summary>The last lines it wrote, for a failure message.</summary>
    public string Output => string.Join('\n', _lines.TakeLast(40));

    /// <param name="service">The folder under services/ (Gateway, Briefings, Supervision…).</param>
    /// <param name="settings">Command-line settings after the defaults; a later one wins.</param>
    public static ServiceProcess Start(string service, string dataFolder, string amqpUrl, int? port = null, params string[] settings)
    {
        var dll = Repository.BuildOutput(Path.Combine("services", service), $"Coordination.{service}.dll");
        if (!File.Exists(dll))
            throw new FileNotFoundException("Build the solution first: the service's build output is missing.", dll);
        var chosenPort = port ?? FreePort();
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
                $"--urls=http://127.0.0.1:{chosenPort}",
                "--Messaging:Transport=RabbitMq",
                $"--Messaging:RabbitMqUrl={amqpUrl}",
                "--Outbox:PollInterval=00:00:00.250",
                $"--Database:Directory={dataFolder}",
                "--Logging:LogLevel:Default=Warning",
            }.Concat(settings)
        )
            start.ArgumentList.Add(argument);
        start.Environment.Remove("ASPNETCORE_URLS");
        start.Environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
        const string keySetting = "--Authentication:DevelopmentKeyFile=";
        var keyFile =
            settings.LastOrDefault(a => a.StartsWith(keySetting, StringComparison.Ordinal))?[keySetting.Length..]
            ?? Path.Combine(dataFolder, "dev-signing-key.pem");
        var process = new ServiceProcess(service, chosenPort, Process.Start(start)!, keyFile);
        process._process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                process._lines.Enqueue(e.Data);
        };
        process._process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                process._lines.Enqueue(e.Data);
        };
        process._process.BeginOutputReadLine();
        process._process.BeginErrorReadLine();
        return process;
    }

    /// <summary>SIGKILL (Process.Kill on Unix), then waits until the kernel has reaped it.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: false);
        }
        catch (InvalidOperationException) { }
        _process.WaitForExit(10_000);
    }

    /// <summary>Until the process answers ready; a gateway then gets the demo data, through its API, as the demo image gives it.</summary>
    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        await ReadyAsync(timeout);
        if (Service == "Gateway")
        {
            using var gateway = DemoSeed.ClientFor(new Uri($"http://127.0.0.1:{Port}"), DemoSeed.SeederToken(_developmentKeyFile));
            await DemoSeed.RunAsync(gateway);
        }
    }

    private async Task ReadyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            await Poller.UntilAsync(
                async () =>
                {
                    if (_process.HasExited)
                        throw new InvalidOperationException($"{Service} exited with {_process.ExitCode}:\n{Output}");
                    try
                    {
                        return (await http.GetAsync($"http://127.0.0.1:{Port}/health/ready")).IsSuccessStatusCode;
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                    {
                        return false;
                    }
                },
                $"{Service} ready on port {Port}",
                timeout
            );
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\n{Output}", e);
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Coordination.Testing;

/// <summary>
/// A private RabbitMQ node started from the Debian <c>rabbitmq-server</c> installation, as the
/// current user, in a temp folder, on free ports: no Docker and no system service needed.
/// </summary>
public sealed class LocalRabbitMq : IAsyncDisposable
{
    private const string InstallRoot = "/usr/lib/rabbitmq/lib";
    private readonly string _folder;
    private readonly string _sbin;
    private readonly Dictionary<string, string> _environment;

    private LocalRabbitMq(string sbin, string folder, string node, int port, Dictionary<string, string> environment)
    {
        _sbin = sbin;
        _folder = folder;
        Node = node;
        Port = port;
        _environment = environment;
    }

    public string Node { get; }
    public int Port { get; }
    public string AmqpUrl => $"amqp://guest:guest@127.0.0.1:{Port}/";
    public string Version => Path.GetFileName(Path.GetDirectoryName(_sbin))!.Replace("rabbitmq_server-", "");

    public static string? FindInstallation() =>
        Directory.Exists(InstallRoot)
            ? Directory.GetDirectories(InstallRoot, "rabbitmq_server-*").Order().LastOrDefault() is { } root
            && File.Exists(Path.Combine(root, "sbin", "rabbitmq-server"))
                ? Path.Combine(root, "sbin")
                : null
            : null;

    public static async Task<LocalRabbitMq> StartAsync(TimeSpan timeout)
    {
        var sbin =
            FindInstallation()
            ?? throw new InvalidOperationException("rabbitmq-server is not installed (apt-get install -y rabbitmq-server).");
        var folder = Directory.CreateTempSubdirectory("coordination-rabbitmq-").FullName;
        var port = FreePort();
        var node = $"coordination{port}@localhost";
        await File.WriteAllTextAsync(Path.Combine(folder, "enabled_plugins"), "[].");
        var environment = new Dictionary<string, string>
        {
            ["RABBITMQ_NODENAME"] = node,
            ["RABBITMQ_NODE_PORT"] = port.ToString(),
            ["RABBITMQ_DIST_PORT"] = FreePort().ToString(),
            ["RABBITMQ_MNESIA_BASE"] = Path.Combine(folder, "mnesia"),
            ["RABBITMQ_LOG_BASE"] = Path.Combine(folder, "log"),
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(folder, "enabled_plugins"),
            ["RABBITMQ_PID_FILE"] = Path.Combine(folder, "rabbitmq.pid"),
            ["HOME"] = folder,
        };
        var broker = new LocalRabbitMq(sbin, folder, node, port, environment);
        var (started, output) = await broker.RunAsync("rabbitmq-server", ["-detached"], TimeSpan.FromSeconds(30));
        if (!started)
            throw new InvalidOperationException($"rabbitmq-server -detached failed: {output}");

        // The node takes a moment to register with epmd; until then await_startup fails at once.
        try
        {
            await broker.AwaitStartupAsync(timeout);
            return broker;
        }
        catch (InvalidOperationException)
        {
            await broker.DisposeAsync();
            throw;
        }
    }

    /// <summary>The broker's Erlang VM (beam.smp), from the node's pid file: for its CPU and memory.</summary>
    public int? ProcessId() =>
        File.Exists(_environment["RABBITMQ_PID_FILE"])
        && int.TryParse(File.ReadAllText(_environment["RABBITMQ_PID_FILE"]).Trim(), out var pid)
            ? pid
            : null;

    /// <summary>
    /// Stops the node as an operator would (<c>rabbitmqctl stop</c>) and starts it again on the same
    /// ports and data folder: what was confirmed to publishers must still be there.
    /// </summary>
    public async Task RestartAsync(TimeSpan timeout)
    {
        var (stopped, stopOutput) = await RunAsync("rabbitmqctl", ["-n", Node, "stop"], TimeSpan.FromSeconds(60));
        if (!stopped)
            throw new InvalidOperationException($"rabbitmqctl stop failed: {stopOutput}");
        var (started, output) = await RunAsync("rabbitmq-server", ["-detached"], TimeSpan.FromSeconds(30));
        if (!started)
            throw new InvalidOperationException($"rabbitmq-server -detached failed: {output}");
        await AwaitStartupAsync(timeout);
    }

    private async Task AwaitStartupAsync(TimeSpan timeout)
    {
        var lastOutput = "";
        try
        {
            await Poller.UntilAsync(
                async () =>
                {
                    var (ready, output) = await RunAsync(
                        "rabbitmqctl",
                        ["-n", Node, "await_startup", "--timeout", "10"],
                        TimeSpan.FromSeconds(15)
                    );
                    lastOutput = output;
                    return ready;
                },
                "the local RabbitMQ node to start",
                timeout
            );
        }
        catch (TimeoutException)
        {
            throw new InvalidOperationException($"The local RabbitMQ node did not start in {timeout}: {lastOutput}");
        }
    }

    public Task<(bool Ok, string Output)> CtlAsync(params string[] arguments) =>
        RunAsync("rabbitmqctl", ["-n", Node, .. arguments], TimeSpan.FromSeconds(60));

    public async ValueTask DisposeAsync()
    {
        await RunAsync("rabbitmqctl", ["-n", Node, "stop"], TimeSpan.FromSeconds(30));
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private async Task<(bool Ok, string Output)> RunAsync(string tool, string[] arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(Path.Combine(_sbin, tool))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var (key, value) in _environment)
            start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (false, "timed out");
        }
        return (process.ExitCode == 0, await stdout + await stderr);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

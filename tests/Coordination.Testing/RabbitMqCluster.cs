using System.Diagnostics;

namespace Coordination.Testing;

/// <summary>
/// Three RabbitMQ nodes joined in one cluster on this machine, started and driven by
/// <c>infra/rabbitmq/cluster.sh</c> (the script operators use) in a temp folder, on free ports.
/// </summary>
public sealed class RabbitMqCluster : IAsyncDisposable
{
    private readonly string _folder;
    private readonly string _script;

    private RabbitMqCluster(string folder, string script, int[] ports, string[] nodes)
    {
        _folder = folder;
        _script = script;
        Ports = ports;
        Nodes = nodes;
    }

    /// <summary>The AMQP port of node 1, 2 and 3 (index 0, 1, 2).</summary>
    public IReadOnlyList<int> Ports { get; }

    /// <summary>The Erlang node names, in the same order.</summary>
    public IReadOnlyList<string> Nodes { get; }

    /// <summary>Every node as MassTransit's cluster host list and RabbitMQ.Client take it: <c>127.0.0.1:port</c>.</summary>
    public IReadOnlyList<string> HostList => Ports.Select(p => $"127.0.0.1:{p}").ToList();

    /// <summary>An account's URL on node 1; with <see cref="HostList"/> a client reaches any node.</summary>
    public string UrlAs(string account, string password) => $"amqp://{account}:{password}@127.0.0.1:{Ports[0]}/";

    /// <summary>Starts the three nodes, joins them, and imports <paramref name="definitions"/> once they form one cluster.</summary>
    public static async Task<RabbitMqCluster> StartAsync(string? definitions, TimeSpan timeout)
    {
        if (LocalRabbitMq.FindInstallation() is null)
            throw new InvalidOperationException(
                "rabbitmq-server is not installed (apt-get install -y rabbitmq-server): the cluster " + "test cannot run here."
            );
        var folder = Directory.CreateTempSubdirectory("coordination-cluster-").FullName;
        var script = Repository.File("infra", "rabbitmq", "cluster.sh");
        var environment = new Dictionary<string, string> { ["COORDINATION_CLUSTER_DIR"] = folder };
        if (definitions is not null)
            environment["COORDINATION_CLUSTER_DEFINITIONS"] = definitions;
        var (ok, output) = await RunAsync(script, ["start"], environment, timeout);
        if (!ok)
        {
            await RunAsync(script, ["stop"], environment, TimeSpan.FromSeconds(60));
            throw new InvalidOperationException($"cluster.sh start failed: {output}");
        }
        var state = (await File.ReadAllLinesAsync(Path.Combine(folder, "cluster.env")))
            .Select(l => l.Split('=', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1]);
        var ports = new[] { int.Parse(state["PORT1"]), int.Parse(state["PORT2"]), int.Parse(state["PORT3"]) };
        var nodes = Enumerable.Range(1, 3).Select(n => $"coordination-cluster{ports[0]}-{n}@localhost").ToArray();
        return new RabbitMqCluster(folder, script, ports, nodes);
    }

    /// <summary>kill -9 of node <paramref name="index"/> (0..2): the machine is lost, nothing is shut down cleanly.</summary>
    public Task<(bool Ok, string Output)> KillAsync(int index) => Script(["kill", (index + 1).ToString()], TimeSpan.FromSeconds(15));

    /// <summary>Starts node <paramref name="index"/> again; it rejoins the cluster with its data.</summary>
    public Task<(bool Ok, string Output)> RestartAsync(int index) => Script(["restart", (index + 1).ToString()], TimeSpan.FromSeconds(90));

    /// <summary>rabbitmqctl on node <paramref name="index"/>.</summary>
    public Task<(bool Ok, string Output)> CtlAsync(int index, params string[] arguments) =>
        Script(["ctl", (index + 1).ToString(), .. arguments], TimeSpan.FromSeconds(60));

    /// <summary>Each queue's tab-separated columns (e.g. name, leader, members), as node <paramref name="index"/> lists them.</summary>
    public async Task<IReadOnlyList<string[]>> ListQueuesAsync(int index, params string[] columns)
    {
        var (ok, output) = await CtlAsync(index, ["list_queues", .. columns, "--quiet", "--no-table-headers"]);
        if (!ok)
            throw new InvalidOperationException($"rabbitmqctl list_queues on node {index + 1}: {output}");
        return output
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split('\t'))
            .Where(c => c.Length == columns.Length)
            .ToList();
    }

    /// <summary>The index of the node leading <paramref name="queue"/>, asked of a node that runs.</summary>
    public async Task<int> LeaderOfAsync(string queue, int askedOf = 0)
    {
        var row =
            (await ListQueuesAsync(askedOf, "name", "leader")).SingleOrDefault(r => r[0] == queue)
            ?? throw new InvalidOperationException($"no queue {queue} on the cluster");
        var index = Array.IndexOf(Nodes.ToArray(), row[1]);
        return index >= 0 ? index : throw new InvalidOperationException($"{queue} is led by {row[1]}, no node of this cluster");
    }

    public async ValueTask DisposeAsync()
    {
        await Script(["stop"], TimeSpan.FromSeconds(90));
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private Task<(bool Ok, string Output)> Script(string[] arguments, TimeSpan timeout) =>
        RunAsync(_script, arguments, new Dictionary<string, string> { ["COORDINATION_CLUSTER_DIR"] = _folder }, timeout);

    private static async Task<(bool Ok, string Output)> RunAsync(
        string script,
        string[] arguments,
        Dictionary<string, string> environment,
        TimeSpan timeout
    )
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var (key, value) in environment)
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
            return (false, $"timed out after {timeout}: {await stdout}{await stderr}");
        }
        return (process.ExitCode == 0, await stdout + await stderr);
    }
}

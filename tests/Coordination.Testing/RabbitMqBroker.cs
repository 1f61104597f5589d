using RabbitMQ.Client;
using Testcontainers.RabbitMq;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Coordination.Testing;

/// <summary>
/// The one broker of a test run, in this order: <c>RABBITMQ_URL</c> if set; else a Testcontainers
/// RabbitMQ when a Docker engine answers; else a private node from the local rabbitmq-server
/// installation. With none of them it fails, saying how to get one: it never skips.
/// </summary>
public sealed class RabbitMqBroker(IMessageSink diagnostics) : IAsyncLifetime
{
    private RabbitMqContainer? _container;
    private LocalRabbitMq? _local;

    public string AmqpUrl { get; private set; } = "";
    public string Description { get; private set; } = "";
    public LocalRabbitMq? Local => _local;

    public async Task InitializeAsync()
    {
        var url = Environment.GetEnvironmentVariable("RABBITMQ_URL");
        if (!string.IsNullOrWhiteSpace(url))
        {
            AmqpUrl = url;
            Description = $"RABBITMQ_URL ({new Uri(url).Host}:{new Uri(url).Port})";
        }
        else if (await DockerAnswersAsync())
        {
            _container = new RabbitMqBuilder("rabbitmq:3.13-management").WithUsername("guest").WithPassword("guest").Build();
            await _container.StartAsync();
            AmqpUrl = _container.GetConnectionString();
            Description = $"Testcontainers RabbitMQ ({AmqpUrl.Split('@').Last()})";
        }
        else if (LocalRabbitMq.FindInstallation() is not null)
        {
            _local = await LocalRabbitMq.StartAsync(TimeSpan.FromSeconds(90));
            AmqpUrl = _local.AmqpUrl;
            Description = $"local rabbitmq-server {_local.Version}, private node {_local.Node} on port {_local.Port}";
        }
        else
        {
            throw new InvalidOperationException(
                "No RabbitMQ broker for the integration tests. Set RABBITMQ_URL=amqp://user:pass@host:5672/, " +
                "or start a Docker engine (Testcontainers), or install the broker: apt-get install -y rabbitmq-server.");
        }

        // Proves the broker answers before any test relies on it, and names it in the test log.
        await using (var connection = await Connect()) { }
        diagnostics.OnMessage(new DiagnosticMessage($"RabbitMQ broker for integration tests: {Description}"));
        Console.WriteLine($"RabbitMQ broker for integration tests: {Description}");
    }

    /// <summary>
    /// Imports a definitions file (accounts, permissions, queues) into the test broker. Import adds to
    /// what is there: guest and the tests' own queues stay.
    /// </summary>
    public async Task LoadDefinitionsAsync(string path)
    {
        if (_local is not null)
        {
            var (ok, output) = await _local.CtlAsync("import_definitions", path);
            if (!ok) throw new InvalidOperationException($"rabbitmqctl import_definitions failed: {output}");
        }
        else if (_container is not null)
        {
            await _container.CopyAsync(await File.ReadAllBytesAsync(path), "/tmp/definitions.json");
            var result = await _container.ExecAsync(["rabbitmqctl", "import_definitions", "/tmp/definitions.json"]);
            if (result.ExitCode != 0) throw new InvalidOperationException($"rabbitmqctl import_definitions failed: {result.Stderr}");
        }
        else if (Environment.GetEnvironmentVariable("RABBITMQ_DEFINITIONS_LOADED") != "1")
        {
            throw new InvalidOperationException(
                $"The broker at RABBITMQ_URL cannot be given {Path.GetFileName(path)} from here: import it (rabbitmqctl import_definitions) and set RABBITMQ_DEFINITIONS_LOADED=1.");
        }
    }

    /// <summary>The same broker, as another account.</summary>
    public Task<IConnection> ConnectAs(string user, string password)
    {
        var uri = new UriBuilder(AmqpUrl) { UserName = Uri.EscapeDataString(user), Password = Uri.EscapeDataString(password) };
        return new ConnectionFactory { Uri = uri.Uri, ClientProvidedName = $"coordination-tests-{user}" }.CreateConnectionAsync();
    }

    public Task<IConnection> Connect(string? url = null) =>
        new ConnectionFactory { Uri = new Uri(url ?? AmqpUrl), ClientProvidedName = "coordination-tests" }.CreateConnectionAsync();

    public async Task DisposeAsync()
    {
        if (_container is not null) await _container.DisposeAsync();
        if (_local is not null) await _local.DisposeAsync();
    }

    private static async Task<bool> DockerAnswersAsync()
    {
        var socket = Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } host && host.StartsWith("unix://", StringComparison.Ordinal)
            ? host["unix://".Length..]
            : "/var/run/docker.sock";
        if (Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } tcp && !tcp.StartsWith("unix://", StringComparison.Ordinal))
            return true; // a remote engine was named explicitly: let Testcontainers use it
        if (!File.Exists(socket)) return false;
        try
        {
            using var client = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await client.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(socket), cts.Token);
            return true;
        }
        catch (Exception)
        {
            return false;
        }
    }
}

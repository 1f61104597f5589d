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
                "No RabbitMQ broker for the integration tests. Set RABBITMQ_URL=amqp://user:pass@host:5672/, "
                    + "or start a Docker engine (Testcontainers), or install the broker: apt-get install -y rabbitmq-server."
            );
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
            if (!ok)
                throw new InvalidOperationException($"rabbitmqctl import_definitions failed: {output}");
        }
        else if (_container is not null)
        {
            await _container.CopyAsync(await File.ReadAllBytesAsync(path), "/tmp/definitions.json");
            var result = await _container.ExecAsync(["rabbitmqctl", "import_definitions", "/tmp/definitions.json"]);
            if (result.ExitCode != 0)
                throw new InvalidOperationException($"rabbitmqctl import_definitions failed: {result.Stderr}");
        }
        else if (Environment.GetEnvironmentVariable("RABBITMQ_DEFINITIONS_LOADED") != "1")
        {
            throw new InvalidOperationException(
                $"The broker at RABBITMQ_URL cannot be given {Path.GetFileName(path)} from here: "
                    + "import it (rabbitmqctl import_definitions) and set RABBITMQ_DEFINITIONS_LOADED=1."
            );
        }
    }

    /// <summary>
    /// A place on the test broker of its own, for processes that must not share queues with the rest of
    /// the run (other tests' hosts declare the same durable queues: gateway-ingress, briefings-…): a new
    /// virtual host, with guest's (or the URL's account's) full permissions on it. The local node and a
    /// Testcontainers broker make it with rabbitmqctl; a broker at RABBITMQ_URL through its management
    /// API (RABBITMQ_MANAGEMENT_URL, else http://host:15672, with the URL's account). A broker that
    /// refuses gets the same vhost and a unique queue prefix instead (Messaging:QueuePrefix).
    /// COORDINATION_TEST_BROKER_ISOLATION=prefix forces the prefix, to exercise that path.
    /// </summary>
    public async Task<BrokerIsolation> IsolateAsync(string name)
    {
        var vhost = $"{name}-{Guid.NewGuid():N}"[..Math.Min(name.Length + 33, 64)];
        if (Environment.GetEnvironmentVariable("COORDINATION_TEST_BROKER_ISOLATION") != "prefix")
        {
            var refusal = await CreateVhostAsync(vhost);
            if (refusal is null)
                return new BrokerIsolation(WithVhost(AmqpUrl, vhost), "", $"vhost {vhost}", () => DeleteVhostAsync(vhost));
            Console.WriteLine($"No vhost of its own for {name} ({refusal}): unique queue prefix instead");
        }
        var prefix = $"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)] + "-";
        return new BrokerIsolation(AmqpUrl, prefix, $"queue prefix {prefix}", () => Task.CompletedTask);
    }

    /// <summary>Creates a vhost with full permissions for the test account; null when done, else why not.</summary>
    public async Task<string?> CreateVhostAsync(string vhost)
    {
        var user = Uri.UnescapeDataString(new Uri(AmqpUrl).UserInfo.Split(':')[0]);
        if (_local is not null)
        {
            var (added, output) = await _local.CtlAsync("add_vhost", vhost);
            if (!added)
                return $"rabbitmqctl add_vhost: {output}";
            var (permitted, why) = await _local.CtlAsync("set_permissions", "-p", vhost, user, ".*", ".*", ".*");
            return permitted ? null : $"rabbitmqctl set_permissions: {why}";
        }
        if (_container is not null)
        {
            var added = await _container.ExecAsync(["rabbitmqctl", "add_vhost", vhost]);
            if (added.ExitCode != 0)
                return $"rabbitmqctl add_vhost: {added.Stderr}";
            var permitted = await _container.ExecAsync(["rabbitmqctl", "set_permissions", "-p", vhost, user, ".*", ".*", ".*"]);
            return permitted.ExitCode == 0 ? null : $"rabbitmqctl set_permissions: {permitted.Stderr}";
        }
        try
        {
            using var http = ManagementClient();
            var created = await http.PutAsync($"api/vhosts/{Uri.EscapeDataString(vhost)}", null);
            if (!created.IsSuccessStatusCode)
                return $"management API PUT vhost: {(int)created.StatusCode}";
            var permissions = new StringContent(
                """{"configure":".*","write":".*","read":".*"}""",
                System.Text.Encoding.UTF8,
                "application/json"
            );
            var permitted = await http.PutAsync($"api/permissions/{Uri.EscapeDataString(vhost)}/{Uri.EscapeDataString(user)}", permissions);
            return permitted.IsSuccessStatusCode ? null : $"management API PUT permissions: {(int)permitted.StatusCode}";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return $"management API: {e.Message}";
        }
    }

    /// <summary>
    /// The names of the default vhost's queues, from rabbitmqctl on a private node or container, else the management API.
    /// </summary>
    public async Task<IReadOnlyList<string>> ListQueuesAsync()
    {
        string output;
        if (_local is not null)
        {
            var (ok, text) = await _local.CtlAsync("list_queues", "name", "--quiet", "--no-table-headers");
            if (!ok)
                throw new InvalidOperationException($"rabbitmqctl list_queues: {text}");
            output = text;
        }
        else if (_container is not null)
        {
            var listed = await _container.ExecAsync(["rabbitmqctl", "list_queues", "name", "--quiet", "--no-table-headers"]);
            if (listed.ExitCode != 0)
                throw new InvalidOperationException($"rabbitmqctl list_queues: {listed.Stderr}");
            output = listed.Stdout;
        }
        else
        {
            using var http = ManagementClient();
            using var queues = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync("api/queues/%2F?columns=name"));
            return queues.RootElement.EnumerateArray().Select(q => q.GetProperty("name").GetString()!).ToList();
        }
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
    }

    /// <summary>Removes a vhost made by <see cref="CreateVhostAsync"/> (and its queues); a private node or container goes anyway.</summary>
    public async Task DeleteVhostAsync(string vhost)
    {
        if (_local is not null)
            await _local.CtlAsync("delete_vhost", vhost);
        else if (_container is not null)
            await _container.ExecAsync(["rabbitmqctl", "delete_vhost", vhost]);
        else
        {
            try
            {
                using var http = ManagementClient();
                await http.DeleteAsync($"api/vhosts/{Uri.EscapeDataString(vhost)}");
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
        }
    }

    private HttpClient ManagementClient()
    {
        var amqp = new Uri(AmqpUrl);
        var management = Environment.GetEnvironmentVariable("RABBITMQ_MANAGEMENT_URL") is { Length: > 0 } configured
            ? configured.TrimEnd('/') + "/"
            : $"http://{amqp.Host}:15672/";
        var http = new HttpClient { BaseAddress = new Uri(management), Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
            "Basic",
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(Uri.UnescapeDataString(amqp.UserInfo)))
        );
        return http;
    }

    private static string WithVhost(string url, string vhost) =>
        new UriBuilder(url) { Path = "/" + Uri.EscapeDataString(vhost) }.Uri.ToString();

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
        if (_container is not null)
            await _container.DisposeAsync();
        if (_local is not null)
            await _local.DisposeAsync();
    }

    private static async Task<bool> DockerAnswersAsync()
    {
        var socket =
            Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } host
            && host.StartsWith("unix://", StringComparison.Ordinal)
                ? host["unix://".Length..]
                : "/var/run/docker.sock";
        if (
            Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } tcp
            && !tcp.StartsWith("unix://", StringComparison.Ordinal)
        )
            return true; // a remote engine was named explicitly: let Testcontainers use it
        if (!File.Exists(socket))
            return false;
        try
        {
            using var client = new System.Net.Sockets.Socket(
                System.Net.Sockets.AddressFamily.Unix,
                System.Net.Sockets.SocketType.Stream,
                System.Net.Sockets.ProtocolType.Unspecified
            );
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

/// <summary>Where isolated processes connect: the AMQP URL (its own vhost) and a queue prefix (empty with a vhost).</summary>
public sealed class BrokerIsolation(string amqpUrl, string queuePrefix, string description, Func<Task> release) : IAsyncDisposable
{
    public string AmqpUrl { get; } = amqpUrl;
    public string QueuePrefix { get; } = queuePrefix;
    public string Description { get; } = description;

    public async ValueTask DisposeAsync() => await release();
}

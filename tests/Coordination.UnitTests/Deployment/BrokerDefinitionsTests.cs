using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.Json;
using System.Text.RegularExpressions;
using Coordination.Testing;
using MassTransit;

namespace Coordination.UnitTests.Deployment;

/// <summary>
/// The broker accounts of infra/rabbitmq/definitions.json against what each service's code uses:
/// every message type a service's assembly publishes is one its account may declare and write, or the
/// first publish would be refused and its outbox would stop there; every one it consumes is bound to
/// its endpoint by the definitions themselves; and no account may touch any other message exchange,
/// release lane or bus queue.
/// </summary>
public sealed class BrokerDefinitionsTests
{
    /// <summary>The catalogue's services on the bus (infra/services.json): none is listed here again.</summary>
    private static readonly IReadOnlyList<ServiceCatalogue.Entry> Catalogue = ServiceCatalogue.OnTheBus();

    private static readonly string[] ServiceNames = Catalogue.Select(s => s.Name).ToArray();

    public static TheoryData<string> Services() => new(ServiceNames);

    private static Assembly AssemblyOf(string service) => Catalogue.Single(s => s.Name == service).Assembly;

    [Theory]
    [MemberData(nameof(Services))]
    public void The_catalogue_lists_exactly_what_a_service_consumes_and_what_it_publishes(string service)
    {
        var entry = Catalogue.Single(s => s.Name == service);
        var assembly = entry.Assembly;
        var consumed = Consumed(assembly).Where(m => m != ReleaseRequest).Select(Short).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(consumed, entry.Consumes.Order(StringComparer.Ordinal));
        // What its code names and does not consume is what it publishes; nothing is listed that its code never names.
        var referenced = Referenced(assembly).Where(m => m != ReleaseRequest).Select(Short).ToHashSet();
        Assert.Equal(referenced.Except(consumed).Order(StringComparer.Ordinal), entry.Publishes.Order(StringComparer.Ordinal));
    }

    private static string Short(Type message) => $"{message.Namespace!.Split('.').Last()}:{message.Name}";

    /// <summary>Contract types that travel on the bus; the sealed envelope and the agency-facing refusal notice never do.</summary>
    private static readonly HashSet<Type> BusMessages = typeof(Coordination.Contracts.Gateway.SealedPayload)
        .Assembly.GetTypes()
        .Where(t =>
            t is { IsClass: true, IsAbstract: false, IsPublic: true }
            && t.Namespace is { } ns
            && ns.Split('.') is ["Coordination", "Contracts", "Briefings" or "Opinions" or "Supervision" or "CourtReporting" or "Gateway"]
        )
        .Where(t =>
            t != typeof(Coordination.Contracts.Gateway.SealedPayload) && t != typeof(Coordination.Contracts.Gateway.IngressRejected)
        )
        .ToHashSet();

    private static string ExchangeOf(Type message) => $"{message.Namespace}:{message.Name}";

    private static (Regex Configure, Regex Write, Regex Read) PermissionsOf(string account)
    {
        using var definitions = JsonDocument.Parse(File.ReadAllText(Repository.File("infra", "rabbitmq", "definitions.json")));
        var entry = definitions
            .RootElement.GetProperty("permissions")
            .EnumerateArray()
            .Single(p => p.GetProperty("user").GetString() == account);
        return (
            new Regex(entry.GetProperty("configure").GetString()!),
            new Regex(entry.GetProperty("write").GetString()!),
            new Regex(entry.GetProperty("read").GetString()!)
        );
    }

    /// <summary>The contract message types the assembly's code refers to (constructs, consumes, reads).</summary>
    private static HashSet<Type> Referenced(Assembly assembly)
    {
        using var stream = File.OpenRead(assembly.Location);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        var names = metadata
            .TypeReferences.Select(h => metadata.GetTypeReference(h))
            .Select(r => $"{metadata.GetString(r.Namespace)}.{metadata.GetString(r.Name)}")
            .ToHashSet();
        return BusMessages.Where(t => names.Contains(t.FullName!)).ToHashSet();
    }

    private static HashSet<Type> Consumed(Assembly assembly) =>
        assembly
            .GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false, ContainsGenericParameters: false })
            .SelectMany(t => t.GetInterfaces())
            .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IConsumer<>))
            .Select(i => i.GetGenericArguments()[0])
            .ToHashSet();

    /// <summary>
    /// Release requests travel on one lane per requesting service, not on this type's exchange. The
    /// services' code still names the type (the request itself, and in this branch the gateway's
    /// consumer and the requesters' publish, which move to the lanes in a change of their own); so the
    /// type is checked here as a lane, and it never counts as a published or bound type exchange.
    /// </summary>
    private static readonly Type ReleaseRequest = typeof(Coordination.Contracts.Gateway.ReleaseConfidentialPayload);

    private static readonly string[] Requesters = ["supervision", "opinions", "court-reporting"];

    private static string LaneOf(string service) => $"gateway-release-from-{service}";

    /// <summary>The catalogue's queue prefix of each service: its endpoints, as the service names them, must carry it.</summary>
    private static readonly Dictionary<string, string> QueuePrefixes = Catalogue.ToDictionary(s => s.Name, s => s.QueuePrefix!);

    /// <summary>Each consumer of the assembly, by the endpoint name the service gives it, with its message type.</summary>
    private static List<(string Endpoint, Type Message)> Endpoints(Assembly assembly)
    {
        var formatter = new Coordination.ServiceDefaults.Messaging.ServiceEndpointNameFormatter();
        var consumerName = typeof(IEndpointNameFormatter).GetMethod(nameof(IEndpointNameFormatter.Consumer))!;
        return assembly
            .GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false })
            .SelectMany(t =>
                t.GetInterfaces()
                    .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IConsumer<>))
                    .Select(i => ((string)consumerName.MakeGenericMethod(t).Invoke(formatter, null)!, i.GetGenericArguments()[0]))
            )
            .ToList();
    }

    private static HashSet<(string Source, string Destination)> ExchangeBindings()
    {
        using var definitions = JsonDocument.Parse(File.ReadAllText(Repository.File("infra", "rabbitmq", "definitions.json")));
        return definitions
            .RootElement.GetProperty("bindings")
            .EnumerateArray()
            .Where(b => b.GetProperty("destination_type").GetString() == "exchange")
            .Select(b => (b.GetProperty("source").GetString()!, b.GetProperty("destination").GetString()!))
            .ToHashSet();
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void A_service_may_publish_every_message_it_sends_and_the_broker_binds_every_message_it_consumes(string service)
    {
        var assembly = AssemblyOf(service);
        var (configure, write, _) = PermissionsOf($"svc-{service}");
        var consumed = Consumed(assembly);
        var referenced = Referenced(assembly);
        Assert.NotEmpty(referenced);

        var missing = new List<string>();
        foreach (var message in referenced.Where(m => !consumed.Contains(m) && m != ReleaseRequest))
        {
            var exchange = ExchangeOf(message);
            if (!configure.IsMatch(exchange))
                missing.Add($"configure {exchange}");
            if (!write.IsMatch(exchange))
                missing.Add($"write {exchange}");
        }
        // With Messaging:ConsumeTopologyFromBroker the service binds nothing: without the broker's
        // binding, a consumed message would be published to an exchange that routes it nowhere.
        var bindings = ExchangeBindings();
        foreach (var (endpoint, message) in Endpoints(assembly).Where(e => e.Message != ReleaseRequest))
        {
            Assert.StartsWith($"{QueuePrefixes[service]}-", endpoint);
            if (!bindings.Contains((ExchangeOf(message), endpoint)))
                missing.Add($"binding {ExchangeOf(message)} -> {endpoint}");
        }
        Assert.True(missing.Count == 0, $"svc-{service} lacks: {string.Join(", ", missing)} (infra/rabbitmq/generate-definitions.py)");
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void A_service_may_configure_write_or_read_no_message_exchange_it_does_not_publish(string service)
    {
        var assembly = AssemblyOf(service);
        var (configure, write, read) = PermissionsOf($"svc-{service}");
        var published = Referenced(assembly).Except(Consumed(assembly)).Where(m => m != ReleaseRequest).ToHashSet();
        var extra = BusMessages
            .Where(m => !published.Contains(m))
            .Select(ExchangeOf)
            .Where(e => configure.IsMatch(e) || write.IsMatch(e) || read.IsMatch(e))
            // Owning an exchange is configuring and writing it; nobody needs to read one (bindings are the broker's).
            .Concat(published.Select(ExchangeOf).Where(e => read.IsMatch(e)).Select(e => $"{e} (readable)"))
            .ToList();
        Assert.True(extra.Count == 0, $"svc-{service} may also use: {string.Join(", ", extra)}");
    }

    [Fact]
    public void No_message_waits_in_an_error_queue_longer_than_a_case_is_kept_after_its_end()
    {
        // A purge does not reach into queues: what failed there about a person expires before the person's data would.
        using var definitions = JsonDocument.Parse(File.ReadAllText(Repository.File("infra", "rabbitmq", "definitions.json")));
        var policy = definitions
            .RootElement.GetProperty("policies")
            .EnumerateArray()
            .Single(p => p.GetProperty("name").GetString() == "error-queues-expire");
        var pattern = new Regex(policy.GetProperty("pattern").GetString()!);
        Assert.Equal("queues", policy.GetProperty("apply-to").GetString());
        Assert.Matches(pattern, "courtreporting-supervision-ended_error");
        Assert.Matches(pattern, "gateway-release-from-court-reporting_error");
        Assert.DoesNotMatch(pattern, "courtreporting-supervision-ended");
        var ttl = TimeSpan.FromMilliseconds(policy.GetProperty("definition").GetProperty("message-ttl").GetInt64());
        Assert.True(
            ttl > TimeSpan.Zero && ttl < TimeSpan.FromDays(30),
            $"error-queue TTL {ttl} must be shorter than the shortest retention period a deployment uses (30 days in the demo)"
        );
        Assert.True(ttl < new Coordination.Supervision.SupervisionOptions().RetentionPeriod);
    }

    [Fact]
    public void Each_message_exchange_has_one_owner()
    {
        foreach (var message in BusMessages)
        {
            var owners = ServiceNames.Where(s => PermissionsOf($"svc-{s}").Configure.IsMatch(ExchangeOf(message))).ToList();
            Assert.True(owners.Count <= 1, $"{ExchangeOf(message)} may be configured (so deleted) by {string.Join(", ", owners)}");
        }
    }

    [Fact]
    public void Only_the_gateway_may_put_agency_commands_on_the_bus_and_each_requester_may_send_only_on_its_own_release_lane()
    {
        foreach (var service in ServiceNames)
        {
            var (configure, write, read) = PermissionsOf($"svc-{service}");
            Assert.Equal(service == "gateway", write.IsMatch("Coordination.Contracts.Supervision:DesignatePerson"));
            Assert.False(
                write.IsMatch(ExchangeOf(ReleaseRequest))
                    || configure.IsMatch(ExchangeOf(ReleaseRequest))
                    || read.IsMatch(ExchangeOf(ReleaseRequest)),
                $"svc-{service} may use the shared {ExchangeOf(ReleaseRequest)}"
            );
            foreach (var requester in Requesters)
            {
                var own = service == requester;
                Assert.True(
                    own || service == "gateway"
                        ? write.IsMatch(LaneOf(requester)) && configure.IsMatch(LaneOf(requester))
                        : !write.IsMatch(LaneOf(requester)) && !configure.IsMatch(LaneOf(requester)),
                    $"svc-{service} on {LaneOf(requester)}"
                );
                Assert.Equal(service == "gateway", read.IsMatch(LaneOf(requester)));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void A_services_bus_queue_is_within_its_own_account_and_no_other(string service)
    {
        var registry = new Coordination.ServiceDefaults.Hosting.CoordinationServiceRegistry($"coordination-{service}");
        registry.Services.Add(service);
        var queue = Coordination.ServiceDefaults.Messaging.MessagingExtensions.BusEndpointQueueName(
            registry,
            new Coordination.ServiceDefaults.Messaging.MessagingOptions()
        );
        Assert.Contains("_bus_", queue); // how MassTransit tells its bus endpoint from the others
        foreach (var other in ServiceNames)
        {
            var (configure, write, read) = PermissionsOf($"svc-{other}");
            var may = new[] { configure, write, read }.Select(p => p.IsMatch(queue)).ToList();
            Assert.True(
                other == service ? may.All(m => m) : may.All(m => !m),
                $"svc-{other} on {queue}: configure, write, read = {string.Join(", ", may)}"
            );
        }
    }

    [Fact]
    public async Task Without_demo_the_generator_uses_no_demo_password()
    {
        var folder = Directory.CreateTempSubdirectory("coordination-definitions-").FullName;
        try
        {
            var start = new System.Diagnostics.ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(Repository.File("infra", "rabbitmq", "generate-definitions.py"));
            start.ArgumentList.Add("--out");
            start.ArgumentList.Add(folder);
            // One password from the environment, the rest generated.
            start.Environment["RABBITMQ_PASSWORD_SVC_COURT_REPORTING"] = "from-the-vault";
            using (var process = System.Diagnostics.Process.Start(start)!)
            {
                var error = process.StandardError.ReadToEndAsync();
                await process.StandardOutput.ReadToEndAsync();
                await process.WaitForExitAsync();
                Assert.True(process.ExitCode == 0, await error);
            }

            using var produced = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "definitions.json")));
            using var demo = JsonDocument.Parse(File.ReadAllText(Repository.File("infra", "rabbitmq", "definitions.json")));
            static Dictionary<string, string> Hashes(JsonDocument d) =>
                d
                    .RootElement.GetProperty("users")
                    .EnumerateArray()
                    .ToDictionary(u => u.GetProperty("name").GetString()!, u => u.GetProperty("password_hash").GetString()!);
            var (production, demoHashes) = (Hashes(produced), Hashes(demo));
            Assert.Equal(demoHashes.Keys.Order(), production.Keys.Order());
            foreach (var (account, hash) in production)
            {
                Assert.NotEqual(demoHashes[account], hash);
                Assert.False(HashOf(hash, $"{account}-demo-password"), $"{account} has its demo password");
            }
            Assert.True(HashOf(production["svc-court-reporting"], "from-the-vault"));

            var passwords = Path.Combine(folder, "generated-passwords.txt");
            if (!OperatingSystem.IsWindows())
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(passwords));
            var generated = File.ReadAllLines(passwords);
            Assert.Equal(production.Count - 1, generated.Length); // all but the one from the environment
            Assert.DoesNotContain(generated, l => l.StartsWith("RABBITMQ_PASSWORD_SVC_COURT_REPORTING=", StringComparison.Ordinal));
            var gateway = generated.Single(l => l.StartsWith("RABBITMQ_PASSWORD_SVC_GATEWAY=", StringComparison.Ordinal)).Split('=', 2)[1];
            Assert.True(HashOf(production["svc-gateway"], gateway));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>RabbitMQ's rabbit_password_hashing_sha256: base64(salt ++ sha256(salt ++ password)), a 4-byte salt.</summary>
    private static bool HashOf(string hash, string password)
    {
        var bytes = Convert.FromBase64String(hash);
        var salt = bytes[..4];
        return System
            .Security.Cryptography.SHA256.HashData([.. salt, .. System.Text.Encoding.UTF8.GetBytes(password)])
            .SequenceEqual(bytes[4..]);
    }
}

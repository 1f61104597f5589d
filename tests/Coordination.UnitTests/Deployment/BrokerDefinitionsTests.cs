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
/// every message type a service's assembly names is one its account may publish (or bind to, if it
/// consumes it), or the first publish would be refused and its outbox would stop there; and no
/// account may publish or bind to anything else.
/// </summary>
public sealed class BrokerDefinitionsTests
{
    private static readonly string[] ServiceNames = ["gateway", "briefings", "supervision", "opinions", "court-reporting"];

    public static TheoryData<string> Services() => new(ServiceNames);

    private static Assembly AssemblyOf(string service) => service switch
    {
        "gateway" => typeof(Coordination.Gateway.Program).Assembly,
        "briefings" => typeof(Coordination.Briefings.Program).Assembly,
        "supervision" => typeof(Coordination.Supervision.Program).Assembly,
        "opinions" => typeof(Coordination.Opinions.Program).Assembly,
        "court-reporting" => typeof(Coordination.CourtReporting.Program).Assembly,
        _ => throw new ArgumentOutOfRangeException(nameof(service)),
    };

    /// <summary>Contract types that travel on the bus; the sealed envelope and the agency-facing refusal notice never do.</summary>
    private static readonly HashSet<Type> BusMessages = typeof(Coordination.Contracts.Gateway.SealedPayload).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false, IsPublic: true } && t.Namespace is { } ns
            && ns.Split('.') is ["Coordination", "Contracts", "Briefings" or "Opinions" or "Supervision" or "CourtReporting" or "Gateway"])
        .Where(t => t != typeof(Coordination.Contracts.Gateway.SealedPayload) && t != typeof(Coordination.Contracts.Gateway.IngressRejected))
        .ToHashSet();

    private static string ExchangeOf(Type message) => $"{message.Namespace}:{message.Name}";

    private static (Regex Configure, Regex Write, Regex Read) PermissionsOf(string account)
    {
        using var definitions = JsonDocument.Parse(File.ReadAllText(Repository.File("infra", "rabbitmq", "definitions.json")));
        var entry = definitions.RootElement.GetProperty("permissions").EnumerateArray().Single(p => p.GetProperty("user").GetString() == account);
        return (new Regex(entry.GetProperty("configure").GetString()!), new Regex(entry.GetProperty("write").GetString()!), new Regex(entry.GetProperty("read").GetString()!));
    }

    /// <summary>The contract message types the assembly's code refers to (constructs, consumes, reads).</summary>
    private static HashSet<Type> Referenced(Assembly assembly)
    {
        using var stream = File.OpenRead(assembly.Location);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        var names = metadata.TypeReferences.Select(h => metadata.GetTypeReference(h))
            .Select(r => $"{metadata.GetString(r.Namespace)}.{metadata.GetString(r.Name)}").ToHashSet();
        return BusMessages.Where(t => names.Contains(t.FullName!)).ToHashSet();
    }

    private static HashSet<Type> Consumed(Assembly assembly) => assembly.GetTypes()
        .SelectMany(t => t.GetInterfaces())
        .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IConsumer<>))
        .Select(i => i.GetGenericArguments()[0])
        .ToHashSet();

    [Theory]
    [MemberData(nameof(Services))]
    public void A_service_may_publish_every_message_it_sends_and_bind_to_every_message_it_consumes(string service)
    {
        var assembly = AssemblyOf(service);
        var (configure, write, read) = PermissionsOf($"svc-{service}");
        var consumed = Consumed(assembly);
        var referenced = Referenced(assembly);
        Assert.NotEmpty(referenced);

        var missing = new List<string>();
        foreach (var message in referenced)
        {
            var exchange = ExchangeOf(message);
            if (!configure.IsMatch(exchange)) missing.Add($"configure {exchange}");
            if (consumed.Contains(message) ? !read.IsMatch(exchange) : !write.IsMatch(exchange))
                missing.Add($"{(consumed.Contains(message) ? "read" : "write")} {exchange}");
        }
        Assert.True(missing.Count == 0, $"svc-{service} lacks: {string.Join(", ", missing)} (infra/rabbitmq/generate-definitions.py)");
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void A_service_may_publish_or_bind_to_nothing_else(string service)
    {
        var assembly = AssemblyOf(service);
        var (configure, write, read) = PermissionsOf($"svc-{service}");
        var referenced = Referenced(assembly);
        var consumed = Consumed(assembly);
        var extra = BusMessages.Except(referenced).Select(ExchangeOf)
            .Where(e => configure.IsMatch(e) || write.IsMatch(e) || read.IsMatch(e))
            .Concat(referenced.Where(m => consumed.Contains(m) && write.IsMatch(ExchangeOf(m))).Select(m => $"{ExchangeOf(m)} (consumed, yet writable)"))
            .ToList();
        Assert.True(extra.Count == 0, $"svc-{service} may also use: {string.Join(", ", extra)}");
    }

    [Fact]
    public void Only_the_gateway_may_put_agency_commands_on_the_bus_and_only_the_services_that_inform_ask_for_releases()
    {
        foreach (var service in ServiceNames)
        {
            var (_, write, _) = PermissionsOf($"svc-{service}");
            Assert.Equal(service == "gateway", write.IsMatch("Coordination.Contracts.Supervision:DesignatePerson"));
            Assert.Equal(service is "supervision" or "opinions" or "court-reporting", write.IsMatch("Coordination.Contracts.Gateway:ReleaseConfidentialPayload"));
        }
    }
}

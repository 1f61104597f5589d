using System.Reflection;
using Coordination.Briefings;
using Coordination.Contracts.Values;
using Coordination.ServiceDefaults.Hosting;
using Coordination.ServiceDefaults.Outbox;
using MassTransit;

namespace Coordination.UnitTests.Support;

public sealed class ArchitectureTests
{
    private static readonly Assembly Contracts = typeof(TerritoryCode).Assembly;
    private static readonly Assembly ServiceDefaults = typeof(ServiceDefaultsExtensions).Assembly;

    /// <summary>Every service assembly; a new service is added here when it is born.</summary>
    public static readonly Assembly[] Services = [typeof(BriefingsService).Assembly];

    private static IEnumerable<string> CoordinationReferences(Assembly assembly) =>
        assembly.GetReferencedAssemblies().Select(a => a.Name!).Where(n => n.StartsWith("Coordination.", StringComparison.Ordinal));

    [Fact]
    public void Services_reference_only_the_contracts_and_the_service_defaults()
    {
        foreach (var service in Services)
            Assert.All(CoordinationReferences(service), name =>
                Assert.Contains(name, new[] { Contracts.GetName().Name, ServiceDefaults.GetName().Name }));
    }

    [Fact]
    public void The_service_defaults_know_no_service_and_the_contracts_know_nothing_but_the_compliance_abstractions()
    {
        Assert.Equal([Contracts.GetName().Name!], CoordinationReferences(ServiceDefaults));
        Assert.Empty(CoordinationReferences(Contracts));
        Assert.DoesNotContain(Contracts.GetReferencedAssemblies(), a => a.Name!.StartsWith("MassTransit", StringComparison.Ordinal) || a.Name!.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_consumer_is_idempotent()
    {
        var consumers = Services.SelectMany(s => s.GetTypes())
            .Where(t => t is { IsClass: true, IsAbstract: false } && t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IConsumer<>)))
            .ToList();
        Assert.NotEmpty(consumers);
        Assert.All(consumers, c => Assert.True(DerivesFrom(c, typeof(IdempotentConsumer<,>)), $"{c.Name} must derive from IdempotentConsumer"));
    }

    private static bool DerivesFrom(Type type, Type openGeneric)
    {
        for (var t = type.BaseType; t is not null; t = t.BaseType)
            if (t.IsGenericType && t.GetGenericTypeDefinition() == openGeneric) return true;
        return false;
    }
}

using System.Reflection;
using Coordination.Briefings;
using Coordination.Contracts.Values;
using Coordination.ServiceDefaults.Hosting;
using Coordination.ServiceDefaults.Outbox;
using MassTransit;
using Microsoft.AspNetCore.Builder;

namespace Coordination.UnitTests.Support;

public sealed class ArchitectureTests
{
    private static readonly Assembly Contracts = typeof(TerritoryCode).Assembly;
    private static readonly Assembly ServiceDefaults = typeof(ServiceDefaultsExtensions).Assembly;

    /// <summary>
    /// Every service assembly, found from what the all-in-one host runs (it references each service it
    /// registers), so that a new service cannot be left out of these rules.
    /// </summary>
    public static readonly Assembly[] Services = typeof(Coordination.AllInOne.AllInOneHost).Assembly.GetReferencedAssemblies()
        .Where(a => a.Name!.StartsWith("Coordination.", StringComparison.Ordinal)
            && a.Name != Contracts.GetName().Name && a.Name != ServiceDefaults.GetName().Name)
        .Select(Assembly.Load)
        .ToArray();

    [Fact]
    public void Every_service_project_on_disk_is_among_the_services_these_rules_check()
    {
        var onDisk = Directory.EnumerateFiles(Coordination.Testing.Repository.File("services"), "Coordination.*.csproj", SearchOption.AllDirectories)
            .Select(Path.GetFileNameWithoutExtension)
            .Where(name => name is not ("Coordination.ServiceDefaults" or "Coordination.AllInOne"))
            .ToList();
        Assert.Contains("Coordination.CourtReporting", onDisk);
        Assert.All(onDisk, name => Assert.Contains(name, Services.Select(s => s.GetName().Name)));
    }

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
        Assert.Contains(consumers, c => c.Assembly == typeof(BriefingsService).Assembly);
        Assert.All(consumers, c => Assert.True(DerivesFrom(c, typeof(IdempotentConsumer<,>)), $"{c.Name} must derive from IdempotentConsumer"));
    }

    private static bool DerivesFrom(Type type, Type openGeneric)
    {
        for (var t = type.BaseType; t is not null; t = t.BaseType)
            if (t.IsGenericType && t.GetGenericTypeDefinition() == openGeneric) return true;
        return false;
    }
}

public sealed class EndpointPolicyTests
{
    /// <summary>Endpoints that name no policy and are not explicitly anonymous.</summary>
    public static IReadOnlyList<string> Unprotected(Microsoft.AspNetCore.Routing.IEndpointRouteBuilder app) =>
        app.DataSources.SelectMany(d => d.Endpoints).OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAllowAnonymous>() is null
                && !e.Metadata.GetOrderedMetadata<Microsoft.AspNetCore.Authorization.IAuthorizeData>().Any(a => !string.IsNullOrEmpty(a.Policy)))
            .Select(e => e.RoutePattern.RawText ?? e.DisplayName ?? "?").ToList();

    [Fact]
    public async Task Every_endpoint_of_the_system_names_its_policy_or_is_explicitly_anonymous()
    {
        var folder = Directory.CreateTempSubdirectory("coordination-arch-").FullName;
        await using var app = Coordination.AllInOne.AllInOneHost.Build([$"--Database:Directory={folder}", "--urls=http://127.0.0.1:0"]);
        var all = ((Microsoft.AspNetCore.Routing.IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).Count();
        Assert.True(all >= 8, $"expected the health, OpenAPI and briefing endpoints, found {all}");
        Assert.Empty(Unprotected(app));
    }

    [Fact]
    public async Task The_rule_finds_an_endpoint_mapped_without_a_policy()
    {
        var folder = Directory.CreateTempSubdirectory("coordination-arch-").FullName;
        await using var app = Coordination.AllInOne.AllInOneHost.Build([$"--Database:Directory={folder}", "--urls=http://127.0.0.1:0"],
            builder => builder.Registry().Endpoints.Add(e => e.MapGet("/forgotten", () => "oops")));
        Assert.Equal(["/forgotten"], Unprotected(app));
    }
}

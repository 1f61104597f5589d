using System.Reflection;
using System.Reflection.Emit;
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
    private static readonly Assembly Demo = typeof(Coordination.Demo.DemoPrincipals).Assembly;

    /// <summary>
    /// Every service assembly, found from what the all-in-one host runs (it references each service it
    /// registers), so that a new service cannot be left out of these rules.
    /// </summary>
    public static readonly Assembly[] Services = typeof(Coordination.AllInOne.AllInOneHost)
        .Assembly.GetReferencedAssemblies()
        .Where(a =>
            a.Name!.StartsWith("Coordination.", StringComparison.Ordinal)
            && a.Name != Contracts.GetName().Name
            && a.Name != ServiceDefaults.GetName().Name
            && a.Name != Demo.GetName().Name
        )
        .Select(Assembly.Load)
        .ToArray();

    [Fact]
    public void Every_service_project_on_disk_is_among_the_services_these_rules_check()
    {
        var onDisk = Directory
            .EnumerateFiles(Coordination.Testing.Repository.File("services"), "Coordination.*.csproj", SearchOption.AllDirectories)
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
            Assert.All(
                CoordinationReferences(service),
                name => Assert.Contains(name, new[] { Contracts.GetName().Name, ServiceDefaults.GetName().Name })
            );
    }

    [Fact]
    public void The_service_defaults_know_no_service_and_the_contracts_know_nothing_but_the_compliance_abstractions()
    {
        Assert.Equal([Contracts.GetName().Name!], CoordinationReferences(ServiceDefaults));
        Assert.Empty(CoordinationReferences(Contracts));
        Assert.DoesNotContain(
            Contracts.GetReferencedAssemblies(),
            a =>
                a.Name!.StartsWith("MassTransit", StringComparison.Ordinal)
                || a.Name!.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal)
        );
    }

    /// <summary>
    /// The demo is data and a client of the APIs, not part of the platform (ADR 18): only the all-in-one host (the
    /// demo's host) and the tests reference it, and no production assembly keeps a demo type of its own.
    /// </summary>
    [Fact]
    public void Only_the_all_in_one_host_and_the_tests_reference_the_demo_and_no_production_assembly_holds_a_demo_type()
    {
        var projects = Directory
            .EnumerateFiles(Coordination.Testing.Repository.Root(), "*.csproj", SearchOption.AllDirectories)
            .Where(p => !p.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .Select(p => Path.GetRelativePath(Coordination.Testing.Repository.Root(), p).Replace('\\', '/'))
            .ToList();
        var referencing = projects
            .Where(p =>
                System
                    .Xml.Linq.XDocument.Load(Coordination.Testing.Repository.File(p.Split('/')))
                    .Descendants("ProjectReference")
                    .Any(r =>
                        r.Attribute("Include")!.Value.Replace('\\', '/').EndsWith("/Coordination.Demo.csproj", StringComparison.Ordinal)
                    )
            )
            .ToList();
        Assert.Contains("services/AllInOne/Coordination.AllInOne.csproj", referencing);
        Assert.All(
            referencing,
            p =>
                Assert.True(
                    p == "services/AllInOne/Coordination.AllInOne.csproj" || p.StartsWith("tests/", StringComparison.Ordinal),
                    $"{p} references the demo: only the all-in-one host and the tests may"
                )
        );
        // Nor through the assemblies: no service, nor the service defaults, nor the contracts, depends on the demo.
        Assert.All(
            Services.Append(ServiceDefaults).Append(Contracts),
            a => Assert.DoesNotContain(Demo.GetName().Name, CoordinationReferences(a))
        );

        var production = Services.Append(ServiceDefaults).Append(Contracts).Append(typeof(Coordination.AllInOne.AllInOneHost).Assembly);
        var demoTypes = production
            .SelectMany(a => a.GetTypes())
            .Where(t => !t.IsNested && t.Name.StartsWith("Demo", StringComparison.Ordinal))
            .Select(t => t.FullName)
            .ToList();
        Assert.True(
            demoTypes.Count == 0,
            $"demo types in production assemblies (they belong to demo/Coordination.Demo): {string.Join(", ", demoTypes)}"
        );
    }

    [Fact]
    public void Every_consumer_is_idempotent()
    {
        var consumers = Services
            .SelectMany(s => s.GetTypes())
            .Where(t =>
                t is { IsClass: true, IsAbstract: false }
                && t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IConsumer<>))
            )
            .ToList();
        Assert.Contains(consumers, c => c.Assembly == typeof(BriefingsService).Assembly);
        Assert.All(
            consumers,
            c => Assert.True(DerivesFrom(c, typeof(IdempotentConsumer<,>)), $"{c.Name} must derive from IdempotentConsumer")
        );
    }

    private static bool DerivesFrom(Type type, Type openGeneric)
    {
        for (var t = type.BaseType; t is not null; t = t.BaseType)
            if (t.IsGenericType && t.GetGenericTypeDefinition() == openGeneric)
                return true;
        return false;
    }
}

public sealed class EndpointPolicyTests
{
    /// <summary>Endpoints that name no policy and are not explicitly anonymous.</summary>
    public static IReadOnlyList<string> Unprotected(Microsoft.AspNetCore.Routing.IEndpointRouteBuilder app) =>
        app
            .DataSources.SelectMany(d => d.Endpoints)
            .OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .Where(e =>
                e.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAllowAnonymous>() is null
                && !e
                    .Metadata.GetOrderedMetadata<Microsoft.AspNetCore.Authorization.IAuthorizeData>()
                    .Any(a => !string.IsNullOrEmpty(a.Policy))
            )
            .Select(e => e.RoutePattern.RawText ?? e.DisplayName ?? "?")
            .ToList();

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
        await using var app = Coordination.AllInOne.AllInOneHost.Build(
            [$"--Database:Directory={folder}", "--urls=http://127.0.0.1:0"],
            builder => builder.Registry().Endpoints.Add(e => e.MapGet("/forgotten", () => "oops"))
        );
        Assert.Equal(["/forgotten"], Unprotected(app));
    }
}

/// <summary>
/// The layers inside a service (issue 16): <c>Domain/</c> does no I/O, <c>Consumers/</c> and <c>Api/</c> are adapters over
/// <c>Application/</c>. Every service found by reflection is held to them, so that a new one cannot be left out.
/// </summary>
public sealed class LayerTests
{
    /// <summary>A client of the services' APIs with no store, bus or rule of its own: held to its own rule instead.</summary>
    private static readonly string[] NotLayered = [ConsoleLayerTests.Console];

    public static readonly Assembly[] Layered = ArchitectureTests.Services.Where(a => !NotLayered.Contains(a.GetName().Name)).ToArray();

    public static TheoryData<string> LayeredNames() => new(Layered.Select(a => a.GetName().Name!));

    private static Assembly Named(string name) => Layered.Single(a => a.GetName().Name == name);

    /// <summary>
    /// The layer's namespace or one of its sub-namespaces: a large service groups a layer by feature in
    /// sub-folders (the gateway's <c>Application/Ingress</c>) and its namespaces follow them.
    /// </summary>
    private static bool InLayer(Type type, string layer) =>
        type.Namespace is { } ns
        && (ns.EndsWith("." + layer, StringComparison.Ordinal) || ns.Contains("." + layer + ".", StringComparison.Ordinal));

    /// <summary>EF Core, MassTransit, ASP.NET Core, hosting, HTTP clients and any persistence namespace: the means of I/O.</summary>
    private static bool IsIo(Type type)
    {
        var assembly = type.Assembly.GetName().Name!;
        return assembly.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal)
            || assembly.StartsWith("MassTransit", StringComparison.Ordinal)
            || assembly.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)
            || assembly.StartsWith("Microsoft.Extensions.Hosting", StringComparison.Ordinal)
            || type == typeof(HttpClient)
            || type == typeof(IPeriodicPass)
            || type.Namespace is { } ns
                && (ns.EndsWith(".Persistence", StringComparison.Ordinal) || ns.Contains(".Persistence.", StringComparison.Ordinal));
    }

    /// <summary>
    /// The type and what it is made of: element types and generic arguments (a <c>Task&lt;List&lt;DbSet&lt;T&gt;&gt;&gt;</c> is a DbSet).
    /// </summary>
    private static IEnumerable<Type> Parts(Type type)
    {
        if (type.IsGenericParameter)
            yield break;
        yield return type;
        if (type.HasElementType)
            foreach (var part in Parts(type.GetElementType()!))
                yield return part;
        if (type.IsGenericType)
            foreach (var part in type.GetGenericArguments().SelectMany(Parts))
                yield return part;
    }

    /// <summary>Every type a type's signatures name: base types, interfaces, fields, properties, constructors and methods.</summary>
    private static IEnumerable<(string Where, Type Type)> Signatures(Type type)
    {
        const BindingFlags all =
            BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        for (var b = type.BaseType; b is not null && b != typeof(object); b = b.BaseType)
            yield return ("base type", b);
        foreach (var i in type.GetInterfaces())
            yield return ("interface", i);
        foreach (var f in type.GetFields(all))
            yield return ($"field {f.Name}", f.FieldType);
        foreach (var p in type.GetProperties(all))
            yield return ($"property {p.Name}", p.PropertyType);
        foreach (var c in type.GetConstructors(all))
        foreach (var p in c.GetParameters())
            yield return ($"constructor parameter {p.Name}", p.ParameterType);
        foreach (var m in type.GetMethods(all))
        {
            yield return ($"method {m.Name} returns", m.ReturnType);
            foreach (var p in m.GetParameters())
                yield return ($"method {m.Name} parameter {p.Name}", p.ParameterType);
        }
    }

    [Theory]
    [MemberData(nameof(LayeredNames))]
    public void The_domain_does_no_io(string assembly)
    {
        var domain = Named(assembly).GetTypes().Where(t => InLayer(t, "Domain")).ToList();
        Assert.NotEmpty(domain);
        var offences = domain
            .SelectMany(t => Signatures(t).SelectMany(s => Parts(s.Type).Where(IsIo).Select(io => $"{t.Name}: {s.Where}: {io.FullName}")))
            .Distinct()
            .ToList();
        Assert.True(offences.Count == 0, "Domain types reach I/O:\n" + string.Join("\n", offences));
    }

    [Theory]
    [MemberData(nameof(LayeredNames))]
    public void Consumers_take_only_the_inbox_context_and_application_handlers_and_query_nothing(string assembly)
    {
        var adapters = Named(assembly).GetTypes().Where(t => InLayer(t, "Consumers") && !t.IsNested).ToList();
        var consumers = adapters
            .Where(t =>
                t is { IsClass: true, IsAbstract: false }
                && t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IConsumer<>))
            )
            .ToList();
        Assert.NotEmpty(consumers);
        var offences = new List<string>();
        foreach (var consumer in consumers)
        {
            // The context the idempotent base class commits the inbox entry on: the one DbContext a consumer may hold.
            var inbox = InboxContextOf(consumer);
            foreach (var p in consumer.GetConstructors().SelectMany(c => c.GetParameters()))
            {
                var handler = InLayer(p.ParameterType, "Application") && p.ParameterType.Assembly == consumer.Assembly;
                if (p.ParameterType == inbox || handler)
                    continue;
                offences.Add(
                    $"{consumer.Name}: constructor parameter {p.Name} ({p.ParameterType.Name})"
                        + " is neither the inbox context nor a handler"
                );
            }
        }
        // Passing the context on to a handler is fine; reading a DbSet, staging a message or running an EF Core query
        // is not, in a consumer or in a helper beside it.
        foreach (var adapter in adapters)
            offences.AddRange(
                CallsOf(adapter)
                    .Where(m =>
                        m.DeclaringType is { } d
                        && (
                            typeof(Microsoft.EntityFrameworkCore.DbContext).IsAssignableFrom(d)
                            || d.Assembly.GetName().Name!.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal)
                        )
                    )
                    .Select(m => $"{adapter.Name}: calls {m.DeclaringType!.Name}.{m.Name}")
                    .Distinct()
            );
        Assert.True(offences.Count == 0, "Consumers do more than map a message to a handler:\n" + string.Join("\n", offences));
    }

    [Theory]
    [MemberData(nameof(LayeredNames))]
    public void Endpoints_take_handlers_and_queries_never_the_db_context(string assembly)
    {
        const BindingFlags statics = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var endpoints = Named(assembly).GetTypes().Where(t => InLayer(t, "Api")).SelectMany(t => t.GetMethods(statics)).ToList();
        Assert.NotEmpty(endpoints);
        var offences = endpoints
            .SelectMany(m =>
                m.GetParameters()
                    .Where(p => typeof(Microsoft.EntityFrameworkCore.DbContext).IsAssignableFrom(p.ParameterType))
                    .Select(p => $"{m.DeclaringType!.Name}.{m.Name}: parameter {p.Name} ({p.ParameterType.Name})")
            )
            .ToList();
        Assert.True(offences.Count == 0, "Endpoints take the DbContext:\n" + string.Join("\n", offences));
    }

    private static Type? InboxContextOf(Type consumer)
    {
        for (var t = consumer.BaseType; t is not null; t = t.BaseType)
            if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IdempotentConsumer<,>))
                return t.GetGenericArguments()[1];
        return null;
    }

    /// <summary>The methods a type's bodies call, its compiler-made nested types (async state machines, lambdas) included.</summary>
    internal static IEnumerable<MethodBase> CallsOf(Type type)
    {
        const BindingFlags all =
            BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var bodies = type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all));
        foreach (var method in bodies)
        foreach (var called in Il.CalledMethods(method))
            yield return called;
        foreach (var nested in type.GetNestedTypes(BindingFlags.Public | BindingFlags.NonPublic))
        foreach (var called in CallsOf(nested))
            yield return called;
    }

    /// <summary>Just enough of an IL reader to list the method tokens of call, callvirt, newobj and ldftn.</summary>
    private static class Il
    {
        private static readonly Dictionary<short, OpCode> Codes = typeof(OpCodes)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (OpCode)f.GetValue(null)!)
            .ToDictionary(c => c.Value);

        public static IEnumerable<MethodBase> CalledMethods(MethodBase method)
        {
            var il = method.GetMethodBody()?.GetILAsByteArray();
            if (il is null)
                yield break;
            var typeArgs = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
            var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
            for (var i = 0; i < il.Length; )
            {
                var value = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
                i += il[i] == 0xFE ? 2 : 1;
                var code = Codes[value];
                if (code.OperandType == OperandType.InlineMethod)
                {
                    MethodBase? called = null;
                    try
                    {
                        called = method.Module.ResolveMethod(BitConverter.ToInt32(il, i), typeArgs, methodArgs);
                    }
                    catch (Exception e) when (e is ArgumentException or BadImageFormatException) { }
                    if (called is not null)
                        yield return called;
                }
                i += code.OperandType switch
                {
                    OperandType.InlineNone => 0,
                    OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                    OperandType.InlineVar => 2,
                    OperandType.InlineI8 or OperandType.InlineR => 8,
                    OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, i),
                    _ => 4,
                };
            }
        }
    }
}

/// <summary>
/// The console has no database, no bus and no rule of its own to layer: it is a client of the services'
/// published HTTP APIs, so the layers above do not apply to it (it would have no Domain, no Consumers and
/// no endpoints to check). What it must keep instead is one door to the system: every page reaches a
/// service through <c>CoordinationApi</c>, which carries the user's token and turns problem details into
/// one result, and nothing else in it speaks HTTP to a service or touches a store or a queue.
/// </summary>
public sealed class ConsoleLayerTests
{
    public const string Console = "Coordination.Console";
    private const string ApiNamespace = "Coordination.WebConsole.Api";

    private static readonly Assembly Assembly = ArchitectureTests.Services.Single(a => a.GetName().Name == Console);

    [Fact]
    public void The_console_references_no_store_no_bus_and_no_service()
    {
        var references = Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.DoesNotContain(references, n => n.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal));
        Assert.DoesNotContain(references, n => n.StartsWith("MassTransit", StringComparison.Ordinal));
        Assert.DoesNotContain(references, n => n.StartsWith("RabbitMQ", StringComparison.Ordinal));
        Assert.All(
            references.Where(n => n.StartsWith("Coordination.", StringComparison.Ordinal)),
            n => Assert.Contains(n, new[] { "Coordination.ServiceDefaults", "Coordination.Contracts" })
        );
    }

    [Fact]
    public void Pages_reach_the_services_only_through_the_coordination_api()
    {
        var pages = Assembly
            .GetTypes()
            .Where(t => t.Namespace?.StartsWith("Coordination.WebConsole.Pages", StringComparison.Ordinal) == true)
            .ToList();
        Assert.Contains(pages, t => typeof(Microsoft.AspNetCore.Mvc.RazorPages.PageModel).IsAssignableFrom(t));
        var offences = pages
            .SelectMany(page =>
                LayerTests
                    .CallsOf(page)
                    .Where(m => m.DeclaringType is { } d && SpeaksHttp(d))
                    .Select(m => $"{page.Name}: calls {m.DeclaringType!.Name}.{m.Name}")
            )
            .Distinct()
            .ToList();
        Assert.True(offences.Count == 0, "Pages speak HTTP to the services themselves:\n" + string.Join("\n", offences));
        // The one door is used: a page that reads a service does it through the API client.
        Assert.Contains(
            pages.SelectMany(LayerTests.CallsOf),
            m => m.DeclaringType?.Namespace == ApiNamespace && m.DeclaringType.Name == "CoordinationApi"
        );
    }

    [Fact]
    public void Only_the_coordination_api_sends_requests_to_the_services()
    {
        var senders = Assembly
            .GetTypes()
            .Where(t => !t.IsNested)
            .Where(t =>
                LayerTests
                    .CallsOf(t)
                    .Any(m => m.DeclaringType is { } d && SpeaksHttp(d) && m.Name.StartsWith("Send", StringComparison.Ordinal))
            )
            .Select(t => t.FullName)
            .ToList();
        Assert.Equal(["Coordination.WebConsole.Api.CoordinationApi"], senders);
    }

    /// <summary>HttpClient, its handlers and factory, and the request types: what a type needs to call a service itself.</summary>
    private static bool SpeaksHttp(Type type) =>
        type.Namespace == "System.Net.Http" || type == typeof(IHttpClientFactory) || typeof(HttpMessageInvoker).IsAssignableFrom(type);
}

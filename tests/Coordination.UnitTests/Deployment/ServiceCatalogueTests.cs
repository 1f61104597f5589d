using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Coordination.Testing;
using YamlDotNet.RepresentationModel;

namespace Coordination.UnitTests.Deployment;

/// <summary>
/// infra/services.json is the one list of the platform's services: docker-compose.yml runs those and no
/// other, each from its project's Dockerfile under its catalogue account and port; the broker's
/// definitions give each its account and queue prefix; the Dockerfiles take their base images as
/// build arguments (infra/containers/run-images.sh builds them on local ones).
/// </summary>
public sealed partial class ServiceCatalogueTests
{
    private static readonly IReadOnlyList<ServiceCatalogue.Entry> Catalogue = ServiceCatalogue.Load();
    private static readonly string[] Infrastructure = ["rabbitmq", "sqlserver", "jaeger"];

    /// <summary>The one compose entry that is neither infrastructure nor a service: the one-shot demo (ADR 18).</summary>
    private const string Demo = "demo";

    [Fact]
    public void Compose_runs_the_services_of_the_catalogue_from_their_projects_with_their_accounts_and_ports()
    {
        var compose = ContainerDefinitionTests
            .ComposeServices()
            .Where(s => !Infrastructure.Contains(s.Service) && s.Service != Demo)
            .ToDictionary(s => s.Service, s => s.Definition);
        Assert.Equal(Catalogue.Select(s => s.Name).Order(StringComparer.Ordinal), compose.Keys.Order(StringComparer.Ordinal));
        foreach (var entry in Catalogue)
        {
            var definition = compose[entry.Name];
            var build = (YamlMappingNode)definition.Children[new YamlScalarNode("build")];
            Assert.Equal(
                $"{Path.GetDirectoryName(entry.Project)!.Replace('\\', '/')}/Dockerfile",
                ContainerDefinitionTests.Scalar(build, "dockerfile")
            );
            var environment = ContainerDefinitionTests.EnvironmentOf(definition);
            Assert.Contains($"{entry.Port}:8080", ContainerDefinitionTests.Sequence(definition, "ports"));
            var volumes = ContainerDefinitionTests.Sequence(definition, "volumes").ToList();
            if (!entry.OnTheBus)
            {
                // The console: no broker account, no key folder; the APIs of the catalogue's services, at their compose names.
                Assert.DoesNotContain("Messaging__RabbitMqUrl", environment.Keys);
                Assert.DoesNotContain(
                    volumes,
                    v => v.Contains("-sealing-keys:", StringComparison.Ordinal) || v.Contains("-public-keys:", StringComparison.Ordinal)
                );
                Assert.Equal(
                    entry.CallsApisOf.Select(a => $"Console__Apis__{a}").Order(StringComparer.Ordinal),
                    environment.Keys.Where(k => k.StartsWith("Console__Apis__", StringComparison.Ordinal)).Order(StringComparer.Ordinal)
                );
                foreach (var api in entry.CallsApisOf)
                {
                    Assert.Contains(Catalogue, s => s.Name == api && s.OnTheBus);
                    Assert.Equal($"http://{api}:8080", environment[$"Console__Apis__{api}"]);
                }
                continue;
            }
            var url = new Uri(environment["Messaging__RabbitMqUrl"]);
            Assert.Equal(entry.Account, url.UserInfo.Split(':')[0]);
            // Its key folder: the sealing keys volume only when it owns keys.
            Assert.Equal(entry.KeyOwners.Length > 0, volumes.Contains($"{entry.Name}-sealing-keys:/sealing-keys"));
            foreach (var owner in entry.ReadsPublicKeysOf)
                Assert.Contains($"{owner}-public-keys:/public-keys/{owner}:ro", volumes);
        }
    }

    /// <summary>
    /// The demo runs in compose beside the services but is none of them: not in the catalogue, no broker account, no
    /// database, no sealing key, no port. It seeds through the gateway's and Supervision's APIs with the development
    /// token key, once (no restart), and the console offers exactly the demo's operators and auditor.
    /// </summary>
    [Fact]
    public void The_demo_runs_in_compose_but_is_no_service_of_the_catalogue()
    {
        Assert.DoesNotContain(Catalogue, s => s.Name == Demo || s.Project.StartsWith("demo/", StringComparison.Ordinal));
        var definitions = JsonNode.Parse(File.ReadAllText(Repository.File("infra", "rabbitmq", "definitions.json")))!;
        Assert.DoesNotContain(definitions["users"]!.AsArray(), u => ((string)u!["name"]!).Contains(Demo, StringComparison.Ordinal));

        var compose = ContainerDefinitionTests.ComposeServices().ToDictionary(s => s.Service, s => s.Definition);
        var demo = compose[Demo];
        var build = (YamlMappingNode)demo.Children[new YamlScalarNode("build")];
        Assert.Equal(ContainerDefinitionTests.DemoDockerfile, ContainerDefinitionTests.Scalar(build, "dockerfile"));
        Assert.Equal("no", ContainerDefinitionTests.Scalar(demo, "restart"));
        Assert.Equal(["seed"], ContainerDefinitionTests.Sequence(demo, "command"));
        Assert.Empty(ContainerDefinitionTests.Sequence(demo, "ports"));
        Assert.Equal(["dev-keys:/keys"], ContainerDefinitionTests.Sequence(demo, "volumes"));
        var environment = ContainerDefinitionTests.EnvironmentOf(demo);
        Assert.DoesNotContain(
            environment.Keys,
            k =>
                k.StartsWith("Messaging__", StringComparison.Ordinal)
                || k.StartsWith("ConnectionStrings__", StringComparison.Ordinal)
                || k.StartsWith("Database__", StringComparison.Ordinal)
                || k.StartsWith("Sealing__", StringComparison.Ordinal)
        );
        Assert.Equal("Development", environment["ASPNETCORE_ENVIRONMENT"]);
        Assert.Equal(
            ContainerDefinitionTests.EnvironmentOf(compose["gateway"])["Authentication__DevelopmentKeyFile"],
            environment["Authentication__DevelopmentKeyFile"]
        );
        Assert.Equal("http://gateway:8080", environment["Demo__GatewayUrl"]);
        Assert.Equal("http://supervision:8080", environment["Demo__SupervisionUrl"]);

        // No service is told to seed anything: the demo data is the demo's.
        Assert.All(
            compose.Where(s => s.Key != Demo),
            s =>
                Assert.DoesNotContain(
                    ContainerDefinitionTests.EnvironmentOf(s.Value).Keys,
                    k => k.Contains("Seed", StringComparison.Ordinal)
                )
        );
        var console = ContainerDefinitionTests.EnvironmentOf(compose["console"]);
        Assert.Equal(
            DemoPrincipals.ConsoleSettings.ToDictionary(e => e.Key.Replace(":", "__", StringComparison.Ordinal), e => e.Value ?? ""),
            console.Where(e => e.Key.StartsWith("Console__DevelopmentPrincipals__", StringComparison.Ordinal)).ToDictionary()
        );
    }

    [Fact]
    public void The_all_in_one_host_runs_and_the_solution_builds_exactly_the_catalogue_services()
    {
        Microsoft.AspNetCore.Builder.WebApplicationBuilder? captured = null;
        var folder = Directory.CreateTempSubdirectory("coordination-catalogue-").FullName;
        try
        {
            using var app = Coordination.AllInOne.AllInOneHost.Build(
                [
                    "--Messaging:Transport=InMemory",
                    $"--Database:Directory={folder}",
                    $"--Authentication:DevelopmentKeyFile={folder}/dev.pem",
                    $"--Sealing:KeyDirectory={folder}/sealing",
                    $"--Sealing:PublicKeyDirectory={folder}/public",
                ],
                builder => captured = builder
            );
            var registered = Coordination.ServiceDefaults.Hosting.RegistryExtensions.Registry(captured!).Services;
            Assert.Equal(Catalogue.Select(s => s.Name).Order(StringComparer.Ordinal), registered.Order(StringComparer.Ordinal));
        }
        finally
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException) { }
        }
        var solution = File.ReadAllText(Repository.File("Coordination.sln")).Replace('\\', '/');
        Assert.All(Catalogue, s => Assert.Contains($"\"{s.Project}\"", solution));
        Assert.Contains("\"demo/Coordination.Demo/Coordination.Demo.csproj\"", solution);
    }

    [Fact]
    public void The_broker_definitions_give_each_catalogue_service_its_account_and_queue_prefix()
    {
        var definitions = JsonNode.Parse(File.ReadAllText(Repository.File("infra", "rabbitmq", "definitions.json")))!;
        var serviceAccounts = definitions["users"]!
            .AsArray()
            .Select(u => (string)u!["name"]!)
            .Where(n => n.StartsWith("svc-", StringComparison.Ordinal));
        Assert.Equal(
            Catalogue.Where(s => s.OnTheBus).Select(s => s.Account).Order(StringComparer.Ordinal),
            serviceAccounts.Order(StringComparer.Ordinal)
        );
        // The console has no account at all: no user of the broker is named after it.
        Assert.Contains(Catalogue, s => !s.OnTheBus);
        foreach (var entry in Catalogue.Where(s => !s.OnTheBus))
            Assert.DoesNotContain(
                definitions["users"]!.AsArray(),
                u => ((string)u!["name"]!).Contains(entry.Name, StringComparison.Ordinal)
            );
        foreach (var entry in Catalogue.Where(s => s.OnTheBus))
        {
            var read = (string)definitions["permissions"]!.AsArray().Single(p => (string)p!["user"]! == entry.Account)!["read"]!;
            Assert.Contains($"{entry.QueuePrefix}-[a-z0-9-]+", read);
            Assert.Contains($"{entry.QueuePrefix}_bus_", read);
        }
    }

    public static TheoryData<string> Dockerfiles()
    {
        var data = new TheoryData<string>();
        foreach (
            var file in Directory
                .GetFiles(Repository.File("services"), "Dockerfile", SearchOption.AllDirectories)
                .Concat(Directory.GetFiles(Repository.File("demo"), "Dockerfile", SearchOption.AllDirectories))
                .Order(StringComparer.Ordinal)
        )
            data.Add(Path.GetRelativePath(Repository.Root(), file).Replace('\\', '/'));
        return data;
    }

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void A_dockerfile_takes_its_base_images_as_build_arguments_defaulting_to_the_official_ones(string dockerfile)
    {
        var text = File.ReadAllText(Repository.File(dockerfile.Split('/')));
        var arguments = ArgumentLine().Matches(text).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        Assert.Equal("mcr.microsoft.com/dotnet/sdk:10.0", arguments.GetValueOrDefault("SDK_IMAGE"));
        Assert.Equal("mcr.microsoft.com/dotnet/aspnet:10.0", arguments.GetValueOrDefault("RUNTIME_IMAGE"));
        var stages = Deployment.Dockerfile.Parse(Repository.File(dockerfile.Split('/'))).Stages;
        Assert.Equal("${SDK_IMAGE}", stages[0].Image);
        Assert.Equal("${RUNTIME_IMAGE}", stages[^1].Image);
        Assert.All(stages, s => Assert.StartsWith("${", s.Image));
    }

    [GeneratedRegex(@"^ARG ([A-Z_]+)=(\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex ArgumentLine();
}

using System.Text.Json.Nodes;
using System.Xml.Linq;
using Coordination.ServiceDefaults.Outbox;
using Coordination.ServiceDefaults.Persistence;
using Coordination.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.SqlClient;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using YamlDotNet.RepresentationModel;

namespace Coordination.UnitTests.Deployment;

/// <summary>
/// No Docker engine runs here: the images are checked against the repository instead. Every
/// Dockerfile under services/ must build from the repository root as it is laid out (what it copies
/// exists and keeps its place, the project it publishes and every project that one references are
/// copied, the entry point is that project's assembly), run as a non-root user with a health check;
/// and docker-compose.yml must build from those Dockerfiles and give each service its own broker
/// account, database and trace name.
/// </summary>
public sealed class ContainerDefinitionTests
{
    /// <summary>The images the platform ships. Opinions and CourtReporting are written ahead of their projects.</summary>
    public static readonly string[] Expected = ["AllInOne", "Briefings", "Console", "CourtReporting", "Gateway", "Opinions", "Supervision"];

    private static readonly string Root = Repository.Root();

    public static TheoryData<string> ServiceDockerfiles()
    {
        var data = new TheoryData<string>();
        foreach (var service in DockerfileFolders())
            data.Add(service);
        return data;
    }

    private static IEnumerable<string> DockerfileFolders() =>
        Directory
            .GetDirectories(Path.Combine(Root, "services"))
            .Where(d => File.Exists(Path.Combine(d, "Dockerfile")))
            .Select(Path.GetFileName)
            .Order(StringComparer.Ordinal)!;

    [Fact]
    public void Every_service_has_its_dockerfile()
    {
        Assert.Equal(Expected, DockerfileFolders().Intersect(Expected).Order(StringComparer.Ordinal));
        // And a new executable service does not go without one.
        foreach (
            var project in Directory.GetFiles(Path.Combine(Root, "services"), "*.csproj", SearchOption.AllDirectories).Where(IsExecutable)
        )
            Assert.True(
                File.Exists(Path.Combine(Path.GetDirectoryName(project)!, "Dockerfile")),
                $"{Relative(project)} is a service without a Dockerfile"
            );
    }

    /// <summary>The demo's image: one-shot (it seeds and exits), so no health check; not a service (ADR 18).</summary>
    public const string DemoDockerfile = "demo/Coordination.Demo/Dockerfile";

    [Theory]
    [MemberData(nameof(ServiceDockerfiles))]
    public void The_image_builds_from_the_repository_layout(string service) =>
        ImageBuildsFromTheRepositoryLayout($"services/{service}/Dockerfile", service: true);

    [Fact]
    public void The_demo_image_builds_from_the_repository_layout() => ImageBuildsFromTheRepositoryLayout(DemoDockerfile, service: false);

    private static void ImageBuildsFromTheRepositoryLayout(string name, bool service)
    {
        var dockerfile = Dockerfile.Parse(Path.Combine(Root, name));
        Assert.True(dockerfile.Stages.Count >= 2, $"{name}: multi-stage (an SDK stage that publishes, a runtime stage that runs)");

        var build =
            dockerfile.Stages.FirstOrDefault(s => Dockerfile.Publish(s) is not null)
            ?? throw new Xunit.Sdk.XunitException($"{name}: no 'dotnet publish' in any stage");
        var (publishedProject, output) = Dockerfile.Publish(build)!.Value;

        // Every COPY source of the build context exists in the repository.
        foreach (var copy in dockerfile.Stages.SelectMany(s => s.Copies).Where(c => c.FromStage is null))
        foreach (var source in copy.Sources)
            Assert.True(
                File.Exists(Path.Combine(Root, source)) || Directory.Exists(Path.Combine(Root, source)),
                $"{name}: COPY source '{source}' does not exist in the repository"
            );

        // The published project exists where the copies put it, with the repository's layout.
        var projectInImage = Dockerfile.Resolve(build.WorkDir, publishedProject);
        var project = RepositoryPathOf(build, projectInImage);
        Assert.True(
            project is not null && File.Exists(Path.Combine(Root, project)),
            $"{name}: 'dotnet publish {publishedProject}' names {projectInImage}, which is no project of the repository copied there"
        );

        // Every file of every project it references (and the build settings above them) is copied, in its place.
        var needed = ProjectClosure(project!)
            .SelectMany(FilesOfProject)
            .Concat(BuildSettingsFor(ProjectClosure(project!)))
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();
        var missing = needed.Where(f => ImagePathOf(build, f) != Dockerfile.Resolve(build.WorkDir, f)).ToList();
        Assert.True(
            missing.Count == 0,
            $"{name}: not copied to its place in the build stage ({missing.Count} files): {string.Join(", ", missing.Take(10))}"
        );

        // The entry point runs that project's assembly, from the published output copied into the runtime stage.
        var final = dockerfile.Final;
        Assert.NotSame(build, final);
        var assembly = AssemblyNameOf(project!) + ".dll";
        Assert.True(final.EntryPoint is ["dotnet", _, ..], $"{name}: ENTRYPOINT [\"dotnet\", \"<assembly>.dll\"] in exec form");
        var entryDll = Dockerfile.Resolve(final.WorkDir, final.EntryPoint![1]);
        Assert.Equal(assembly, Path.GetFileName(entryDll));
        Assert.NotNull(output);
        var published = final.Copies.FirstOrDefault(c =>
            c.FromStage == build.Name
            && c.Sources.Any(s => Dockerfile.Resolve(build.WorkDir, s) == Dockerfile.Resolve(build.WorkDir, output!))
        );
        Assert.True(published is not null, $"{name}: the runtime stage copies the publish output {output} from the '{build.Name}' stage");
        Assert.Equal(Dockerfile.Resolve(published!.WorkDir, published.Destination), entryDll[..entryDll.LastIndexOf('/')]);

        // Not root, and a health check the runtime image can run (it has no curl): the service's own command.
        Assert.True(final.User is { } user && user is not ("root" or "0"), $"{name}: USER must be a non-root user (e.g. $APP_UID)");
        if (!service)
        {
            // A one-shot container has nothing to be healthy about: it ends, and its exit code says how.
            Assert.Null(final.HealthCheck);
            return;
        }
        Assert.True(
            final.HealthCheck is ["dotnet", _, "healthcheck", ..] hc && Dockerfile.Resolve(final.WorkDir, hc[1]) == entryDll,
            $"{name}: HEALTHCHECK CMD [\"dotnet\", \"{entryDll}\", \"healthcheck\"]"
        );
        var program = File.ReadAllText(Path.Combine(Root, Path.GetDirectoryName(project!)!, "Program.cs"));
        Assert.True(
            program.Contains("CoordinationHost.RunAsync") || program.Contains("CoordinationHost.TryRunCommand"),
            $"{project}: Program must run the host commands (CoordinationHost.RunAsync or TryRunCommand), "
                + "or 'healthcheck' would start a second server"
        );
    }

    [Fact]
    public void The_build_context_leaves_out_build_output_and_local_data()
    {
        var ignored = File.ReadAllLines(Path.Combine(Root, ".dockerignore")).Select(l => l.Trim()).ToHashSet();
        Assert.Subset(ignored, new HashSet<string> { "**/bin/", "**/obj/", "**/data/" });
    }

    [Fact]
    public void Compose_builds_every_service_from_its_dockerfile()
    {
        var built = new List<string>();
        foreach (var (service, definition) in ComposeServices())
        {
            if (!definition.Children.TryGetValue(new YamlScalarNode("build"), out var build))
                continue;
            var (context, dockerfile) = build switch
            {
                YamlScalarNode scalar => (scalar.Value!, "Dockerfile"),
                YamlMappingNode map => (Scalar(map, "context") ?? ".", Scalar(map, "dockerfile") ?? "Dockerfile"),
                _ => throw new Xunit.Sdk.XunitException($"compose service {service}: unreadable build entry"),
            };
            Assert.True(
                Path.GetFullPath(Path.Combine(Root, context)) == Path.GetFullPath(Root),
                $"compose service {service}: the build context is the repository root (the Dockerfiles copy from it), not '{context}'"
            );
            var path = Path.Combine(Root, context, dockerfile);
            Assert.True(File.Exists(path), $"compose service {service}: build dockerfile '{dockerfile}' does not exist");
            built.Add(Path.GetRelativePath(Root, path).Replace('\\', '/'));
        }
        // Every service image is in compose, and the demo's; the all-in-one host is the embedded alternative, run on its own.
        var expected = DockerfileFolders().Where(s => s != "AllInOne").Select(s => $"services/{s}/Dockerfile").Append(DemoDockerfile);
        Assert.Equal(expected.Order(StringComparer.Ordinal), built.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Compose_gives_each_service_its_own_account_database_and_trace_name()
    {
        var definitions = JsonNode.Parse(File.ReadAllText(Path.Combine(Root, "infra", "rabbitmq", "definitions.json")))!;
        var accounts = definitions["users"]!.AsArray().Select(u => (string)u!["name"]!).ToHashSet();
        var databases = new Dictionary<string, string>();
        var traceNames = new HashSet<string>();
        var ports = new HashSet<string>();

        foreach (var (service, definition) in ComposeServices().Where(s => s.Definition.Children.ContainsKey(new YamlScalarNode("build"))))
        {
            var environment = EnvironmentOf(definition);
            if (service == "demo")
                continue; // No service: ServiceCatalogueTests.The_demo_runs_in_compose_but_is_no_service_of_the_catalogue.
            if (service == "console")
            {
                // The console is a backend-for-frontend: it holds no data, takes no message and seals nothing.
                Assert.DoesNotContain(
                    environment,
                    e =>
                        e.Key.StartsWith("Messaging__", StringComparison.Ordinal)
                        || e.Key.StartsWith("ConnectionStrings__", StringComparison.Ordinal)
                        || e.Key.StartsWith("Database__", StringComparison.Ordinal)
                        || e.Key.StartsWith("Sealing__", StringComparison.Ordinal)
                );
                Assert.True(
                    traceNames.Add(environment.GetValueOrDefault("OTEL_SERVICE_NAME") ?? ""),
                    $"{service}: its own OTEL_SERVICE_NAME"
                );
                foreach (var port in Sequence(definition, "ports"))
                    Assert.True(ports.Add(port.Split(':')[0]), $"{service}: host port {port} used twice");
                continue;
            }
            var broker = new Uri(
                environment.GetValueOrDefault("Messaging__RabbitMqUrl")
                    ?? throw new Xunit.Sdk.XunitException($"{service}: no Messaging__RabbitMqUrl")
            );
            var account = Uri.UnescapeDataString(broker.UserInfo.Split(':')[0]);
            Assert.True(
                account.StartsWith("svc-", StringComparison.Ordinal) && accounts.Contains(account),
                $"{service}: broker account '{account}' is not a service account of infra/rabbitmq/definitions.json"
            );
            Assert.Equal($"{account}-demo-password", Uri.UnescapeDataString(broker.UserInfo.Split(':')[1]));

            Assert.Equal("SqlServer", environment.GetValueOrDefault("Database__Provider"));
            var connection = Assert.Single(environment, e => e.Key.StartsWith("ConnectionStrings__", StringComparison.Ordinal));
            var database = new SqlConnectionStringBuilder(connection.Value).InitialCatalog;
            Assert.False(string.IsNullOrEmpty(database), $"{service}: Database= in its connection string");
            Assert.True(
                databases.TryAdd(database, service),
                $"{service} and {databases.GetValueOrDefault(database)} share the database {database}"
            );
            Assert.Contains("sqlserver", DependsOn(definition));
            Assert.Contains("rabbitmq", DependsOn(definition));

            Assert.False(
                string.IsNullOrEmpty(environment.GetValueOrDefault("OTEL_EXPORTER_OTLP_ENDPOINT")),
                $"{service}: OTEL_EXPORTER_OTLP_ENDPOINT"
            );
            Assert.True(traceNames.Add(environment.GetValueOrDefault("OTEL_SERVICE_NAME") ?? ""), $"{service}: its own OTEL_SERVICE_NAME");
            Assert.StartsWith("/keys/", environment.GetValueOrDefault("Authentication__DevelopmentKeyFile") ?? "");
            foreach (var port in Sequence(definition, "ports"))
                Assert.True(ports.Add(port.Split(':')[0]), $"{service}: host port {port} used twice");
        }
    }

    [Fact]
    public void Each_service_mounts_only_its_own_key_folder()
    {
        var services = ComposeServices().Where(s => s.Definition.Children.ContainsKey(new YamlScalarNode("build"))).ToList();
        var mounts = services.ToDictionary(
            s => s.Service,
            s =>
                Sequence(s.Definition, "volumes")
                    .Select(v => v.Split(':'))
                    .Where(v => v.Length >= 2)
                    .Select(v => (Volume: v[0], Path: v[1], ReadOnly: v.Length > 2 && v[2] == "ro"))
                    .ToList()
        );
        foreach (var (service, definition) in services)
        {
            var environment = EnvironmentOf(definition);
            if (environment.GetValueOrDefault("Sealing__KeyDirectory") is { } privateKeys)
            {
                var volume = Assert.Single(mounts[service], m => m.Path == privateKeys);
                Assert.Equal($"{service}-sealing-keys", volume.Volume);
                Assert.False(volume.ReadOnly);
                Assert.DoesNotContain(mounts, other => other.Key != service && other.Value.Any(m => m.Volume == volume.Volume));
            }
            Assert.False(
                (environment.GetValueOrDefault("Sealing__KeyDirectory") ?? "").StartsWith("/keys", StringComparison.Ordinal),
                $"{service}: no sealing key on the shared development-token volume"
            );
            // Public keys: one folder per owner, written by the owner alone, read-only for the others.
            var publicKeys = environment.GetValueOrDefault("Sealing__PublicKeyDirectory");
            foreach (var mount in mounts[service].Where(m => m.Volume.EndsWith("-public-keys", StringComparison.Ordinal)))
            {
                var owner = mount.Volume[..^"-public-keys".Length];
                Assert.Equal($"{publicKeys}/{owner}", mount.Path);
                Assert.Equal(owner != service, mount.ReadOnly);
            }
            Assert.DoesNotContain(
                mounts[service],
                m => m.Volume.EndsWith("-sealing-keys", StringComparison.Ordinal) && m.Volume != $"{service}-sealing-keys"
            );
        }
        // Every service that seals for the gateway reads its public key, and the gateway writes it.
        Assert.All(
            services.Where(s => s.Service is "supervision" or "opinions" or "court-reporting"),
            s => Assert.Contains(mounts[s.Service], m => m is { Volume: "gateway-public-keys", ReadOnly: true })
        );
        Assert.Contains(mounts["gateway"], m => m is { Volume: "gateway-public-keys", ReadOnly: false });
    }

    /// <summary>The catalogue's services that keep a database: every one on the bus (the console keeps none).</summary>
    public static TheoryData<string> BuildableServices() => new(ServiceCatalogue.OnTheBus().Select(s => s.Name));

    /// <summary>A service's own host builder (its Program's Build) and its database context, found in its assembly.</summary>
    public static (Func<string[], WebApplication> Build, Type Context) HostOf(string service)
    {
        var assembly = ServiceCatalogue.OnTheBus().Single(s => s.Name == service).Assembly;
        var build = assembly.GetType($"{assembly.GetName().Name}.Program", throwOnError: true)!.GetMethod("Build")!;
        var context = assembly.GetTypes().Single(t => t is { IsAbstract: true, IsClass: true } && t.IsSubclassOf(typeof(ServiceDbContext)));
        return (args => (WebApplication)build.Invoke(null, [args, null])!, context);
    }

    [Theory]
    [MemberData(nameof(BuildableServices))]
    public void Under_the_compose_settings_a_service_migrates_its_own_sql_server_database_at_start(string service)
    {
        var (build, context) = HostOf(service);
        var environment = EnvironmentOf(ComposeServices().Single(s => s.Service == service).Definition);
        var folder = Directory.CreateTempSubdirectory("coordination-compose-").FullName;
        try
        {
            // The compose environment as the host reads it ('__' is ':'), keys and data in a temp folder.
            var args = environment
                .Select(e => $"--{e.Key.Replace("__", ":")}={e.Value}")
                .Concat([
                    $"--Database:Directory={folder}",
                    $"--Authentication:DevelopmentKeyFile={folder}/dev.pem",
                    $"--Sealing:KeyDirectory={folder}/sealing",
                    $"--Sealing:PublicKeyDirectory={folder}/public",
                ])
                .ToArray();
            using var app = build(args);
            var migrator = typeof(DatabaseMigrator<>).MakeGenericType(context);
            Assert.Contains(app.Services.GetServices<IHostedService>(), h => h.GetType() == migrator);

            using var scope = app.Services.CreateScope();
            var db = (ServiceDbContext)scope.ServiceProvider.GetRequiredService(context);
            Assert.True(db.Database.IsSqlServer(), $"{service}: Database__Provider=SqlServer gives the SQL Server context");
            // Migrate (not EnsureCreated) creates the missing database, then applies these migrations.
            Assert.NotEmpty(db.Database.GetMigrations());
            var expected = new SqlConnectionStringBuilder(
                environment.Single(e => e.Key.StartsWith("ConnectionStrings__", StringComparison.Ordinal)).Value
            ).InitialCatalog;
            Assert.Equal(expected, new SqlConnectionStringBuilder(db.Database.GetConnectionString()).InitialCatalog);
        }
        finally
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException) { }
        }
    }

    // ---- the repository side

    /// <summary>The project and every project it references, transitively, as repository paths.</summary>
    private static IReadOnlyList<string> ProjectClosure(string project)
    {
        var seen = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([project]);
        while (pending.TryPop(out var next))
        {
            if (!seen.Add(next))
                continue;
            var full = Path.Combine(Root, next);
            Assert.True(File.Exists(full), $"referenced project {next} does not exist");
            foreach (var reference in XDocument.Load(full).Descendants("ProjectReference"))
            {
                var include = reference.Attribute("Include")!.Value.Replace('\\', '/');
                pending.Push(Relative(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(full)!, include))));
            }
        }
        return seen.ToList();
    }

    /// <summary>A project's files as the build context has them (.dockerignore leaves out bin, obj and data).</summary>
    private static IEnumerable<string> FilesOfProject(string project) =>
        Directory
            .EnumerateFiles(Path.Combine(Root, Path.GetDirectoryName(project)!), "*", SearchOption.AllDirectories)
            .Select(Relative)
            .Where(f => !f.Split('/').Any(part => part is "bin" or "obj" or "data") && !f.EndsWith(".db", StringComparison.Ordinal));

    /// <summary>
    /// global.json and every Directory.Build.props/targets and Directory.Packages.props from each project's folder up to the root.
    /// </summary>
    private static IEnumerable<string> BuildSettingsFor(IEnumerable<string> projects)
    {
        yield return "global.json";
        foreach (var project in projects)
        {
            for (
                var folder = Path.GetDirectoryName(project);
                folder is not null;
                folder = folder.Length == 0 ? null : Path.GetDirectoryName(folder)
            )
                foreach (var file in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props" })
                {
                    var path = folder.Length == 0 ? file : $"{folder}/{file}";
                    if (File.Exists(Path.Combine(Root, path)))
                        yield return path;
                }
        }
    }

    private static string AssemblyNameOf(string project) =>
        XDocument.Load(Path.Combine(Root, project)).Descendants("AssemblyName").FirstOrDefault()?.Value
        ?? Path.GetFileNameWithoutExtension(project);

    private static bool IsExecutable(string project) =>
        XDocument.Load(project).Descendants("OutputType").Any(o => o.Value == "Exe")
        && !Relative(project).StartsWith("tests/", StringComparison.Ordinal);

    /// <summary>Where the build stage's copies put a repository file (the last copy wins), or null.</summary>
    private static string? ImagePathOf(Dockerfile.Stage stage, string repositoryFile)
    {
        string? result = null;
        foreach (var copy in stage.Copies.Where(c => c.FromStage is null))
        {
            var destination = Dockerfile.Resolve(copy.WorkDir, copy.Destination);
            var intoFolder = copy.Destination.EndsWith('/') || copy.Sources.Count > 1;
            foreach (var source in copy.Sources.Select(s => s.TrimEnd('/')))
            {
                var clean = source is "." or "" ? "" : source.TrimStart('.', '/');
                if (Directory.Exists(Path.Combine(Root, clean)))
                {
                    if (clean.Length == 0)
                        result = destination.TrimEnd('/') + "/" + repositoryFile;
                    else if (repositoryFile.StartsWith(clean + "/", StringComparison.Ordinal))
                        result = destination.TrimEnd('/') + "/" + repositoryFile[(clean.Length + 1)..];
                }
                else if (clean == repositoryFile)
                {
                    result = intoFolder ? destination.TrimEnd('/') + "/" + Path.GetFileName(clean) : destination;
                }
            }
        }
        return result;
    }

    /// <summary>The repository file that a build-stage path holds, if the copies put one there.</summary>
    private static string? RepositoryPathOf(Dockerfile.Stage stage, string imagePath)
    {
        var prefix = stage.WorkDir.TrimEnd('/') + "/";
        if (!imagePath.StartsWith(prefix, StringComparison.Ordinal))
            return null;
        var candidate = imagePath[prefix.Length..];
        return File.Exists(Path.Combine(Root, candidate)) && ImagePathOf(stage, candidate) == imagePath ? candidate : null;
    }

    private static string Relative(string path) => Path.GetRelativePath(Root, path).Replace('\\', '/');

    // ---- the compose side

    internal static IEnumerable<(string Service, YamlMappingNode Definition)> ComposeServices()
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(Root, "docker-compose.yml")))
            yaml.Load(reader);
        var services = (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode).Children[new YamlScalarNode("services")];
        return services.Children.Select(s => (((YamlScalarNode)s.Key).Value!, (YamlMappingNode)s.Value)).ToList();
    }

    internal static string? Scalar(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? ((YamlScalarNode)value).Value : null;

    internal static IEnumerable<string> Sequence(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlSequenceNode sequence
            ? sequence.Children.Select(c => ((YamlScalarNode)c).Value!)
            : [];

    private static IEnumerable<string> DependsOn(YamlMappingNode service) =>
        service.Children.TryGetValue(new YamlScalarNode("depends_on"), out var value)
            ? value switch
            {
                YamlMappingNode map => map.Children.Keys.Select(k => ((YamlScalarNode)k).Value!),
                YamlSequenceNode list => list.Children.Select(c => ((YamlScalarNode)c).Value!),
                _ => [],
            }
            : [];

    internal static Dictionary<string, string> EnvironmentOf(YamlMappingNode service)
    {
        if (!service.Children.TryGetValue(new YamlScalarNode("environment"), out var value))
            return [];
        return value switch
        {
            YamlMappingNode map => map.Children.ToDictionary(
                e => ((YamlScalarNode)e.Key).Value!,
                e => ((YamlScalarNode)e.Value).Value ?? ""
            ),
            YamlSequenceNode list => list
                .Children.Select(c => ((YamlScalarNode)c).Value!.Split('=', 2))
                .ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : ""),
            _ => [],
        };
    }
}

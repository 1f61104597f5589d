using System.Text.Json;
using Coordination.Testing;
using k8s;
using k8s.Models;

namespace Coordination.UnitTests.Deployment;

/// <summary>
/// infra/k8s, loaded as the API server reads it (KubernetesClient's own types), for what a reviewer of a
/// deployment checks: every service of infra/services.json runs, probed on its health endpoints, with
/// resources bounded, as a non-root user on a read-only root filesystem, its broker password and database
/// from Secrets, and only its own sealing key folders; the broker is a three-node StatefulSet loaded
/// with the definitions.
/// </summary>
public sealed class KubernetesManifestTests
{
    private static readonly string Folder = Repository.File("infra", "k8s");

    public static IReadOnlyList<ServiceCatalogue.Entry> Catalogue => ServiceCatalogue.Load();

    public static TheoryData<string> Services()
    {
        var data = new TheoryData<string>();
        foreach (var service in Catalogue)
            data.Add(service.Name);
        return data;
    }

    /// <summary>The services with a broker account and a database: all but the console.</summary>
    public static TheoryData<string> BusServices()
    {
        var data = new TheoryData<string>();
        foreach (var service in Catalogue.Where(s => s.OnTheBus))
            data.Add(service.Name);
        return data;
    }

    private static List<object> Load(string file) => KubernetesYaml.LoadAllFromString(File.ReadAllText(Path.Combine(Folder, file)));

    private static V1Deployment DeploymentOf(string service) =>
        Assert.Single(Load($"{service}.yaml").OfType<V1Deployment>(), d => d.Metadata.Name == service);

    [Fact]
    public void Every_manifest_loads_and_the_services_are_those_of_the_catalogue()
    {
        var files = Directory.GetFiles(Folder, "*.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        var expected = Catalogue.Select(s => $"{s.Name}.yaml").Append("namespace.yaml").Append("rabbitmq.yaml");
        Assert.Equal(expected.Order(StringComparer.Ordinal), files);
        var deployments = files.SelectMany(f => Load(f!)).OfType<V1Deployment>().Select(d => d.Metadata.Name).Order(StringComparer.Ordinal);
        Assert.Equal(Catalogue.Select(s => s.Name).Order(StringComparer.Ordinal), deployments);
        Assert.All(
            files.SelectMany(f => Load(f!)).OfType<IKubernetesObject<V1ObjectMeta>>().Where(o => o is not V1Namespace),
            o => Assert.Equal("coordination", o.Metadata.NamespaceProperty)
        );
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void A_service_is_probed_on_its_health_endpoints_with_bounded_resources(string service)
    {
        var deployment = DeploymentOf(service);
        var container = Assert.Single(deployment.Spec.Template.Spec.Containers);
        Assert.Equal(8080, Assert.Single(container.Ports).ContainerPort);
        Assert.Equal("/health/ready", container.ReadinessProbe?.HttpGet?.Path);
        Assert.Equal("/health/live", container.LivenessProbe?.HttpGet?.Path);
        Assert.Equal("http", container.ReadinessProbe!.HttpGet.Port.Value);
        Assert.True(deployment.Spec.Replicas >= 2, $"{service}: one replica is no scaling");
        foreach (var resource in new[] { "cpu", "memory" })
        {
            Assert.True(container.Resources?.Requests?.ContainsKey(resource), $"{service}: no {resource} request");
            Assert.True(container.Resources?.Limits?.ContainsKey(resource), $"{service}: no {resource} limit");
            Assert.True(
                container.Resources!.Requests![resource].ToDecimal() <= container.Resources.Limits![resource].ToDecimal(),
                $"{service}: {resource} request above its limit"
            );
        }
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void A_service_runs_as_a_non_root_user_on_a_read_only_root_filesystem(string service)
    {
        var pod = DeploymentOf(service).Spec.Template.Spec;
        var container = Assert.Single(pod.Containers);
        Assert.True(pod.SecurityContext?.RunAsNonRoot);
        Assert.True(container.SecurityContext?.RunAsNonRoot);
        Assert.NotEqual(0, container.SecurityContext!.RunAsUser ?? pod.SecurityContext!.RunAsUser ?? 0);
        Assert.True(container.SecurityContext.ReadOnlyRootFilesystem);
        Assert.False(container.SecurityContext.AllowPrivilegeEscalation);
        Assert.Equal(["ALL"], container.SecurityContext.Capabilities?.Drop);
        Assert.False(pod.AutomountServiceAccountToken);
        // What the service writes goes to a volume: /tmp, and its key folder.
        Assert.Contains(container.VolumeMounts, m => m.MountPath == "/tmp");
        Assert.Equal("Production", container.Env.Single(e => e.Name == "ASPNETCORE_ENVIRONMENT").Value);
    }

    [Theory]
    [MemberData(nameof(BusServices))]
    public void A_service_takes_its_broker_password_and_database_from_its_own_secrets(string service)
    {
        var entry = Catalogue.Single(s => s.Name == service);
        var container = Assert.Single(DeploymentOf(service).Spec.Template.Spec.Containers);
        var url = container.Env.Single(e => e.Name == "Messaging__RabbitMqUrl");
        Assert.Null(url.Value);
        Assert.Equal(($"{service}-broker", "url"), (url.ValueFrom?.SecretKeyRef?.Name, url.ValueFrom?.SecretKeyRef?.Key));
        var database = container.Env.Single(e => e.Name == $"ConnectionStrings__{service}");
        Assert.Equal($"{service}-database", database.ValueFrom?.SecretKeyRef?.Name);
        // No literal secret anywhere in its environment: no password in a URL, no connection string, no key.
        foreach (var variable in container.Env.Where(e => e.Value is not null))
        {
            Assert.DoesNotMatch("://[^/@]+:[^/@]+@", variable.Value);
            Assert.DoesNotContain("Password=", variable.Value, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("PRIVATE KEY", variable.Value);
        }
        Assert.Equal("true", container.Env.Single(e => e.Name == "Messaging__ConsumeTopologyFromBroker").Value);
        // Every node of the broker's StatefulSet, as MassTransit's cluster host list.
        var nodes = container
            .Env.Where(e => e.Name.StartsWith("Messaging__ClusterNodes__", StringComparison.Ordinal))
            .Select(e => e.Value)
            .ToList();
        Assert.Equal(RabbitMq().Spec.Replicas, nodes.Count);
        Assert.All(nodes, n => Assert.Matches(@"^rabbitmq-\d\.rabbitmq-nodes\.coordination\.svc\.cluster\.local:5672$", n));
        Assert.Equal(entry.Account, $"svc-{service}");
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void A_service_mounts_only_its_own_sealing_key_folders(string service)
    {
        var entry = Catalogue.Single(s => s.Name == service);
        var pod = DeploymentOf(service).Spec.Template.Spec;
        var container = Assert.Single(pod.Containers);
        var secrets = pod.Volumes.Where(v => v.Secret is not null).ToDictionary(v => v.Name, v => v.Secret.SecretName);
        var sealingSecrets = secrets
            .Values.Where(s => s.EndsWith("-sealing-key", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.Equal(entry.KeyOwners.Select(o => $"{o}-sealing-key").Order(StringComparer.Ordinal), sealingSecrets);
        foreach (var owner in entry.KeyOwners)
        {
            var mount = container.VolumeMounts.Single(m => secrets.GetValueOrDefault(m.Name) == $"{owner}-sealing-key");
            Assert.Equal(($"/sealing-keys/{owner}", true), (mount.MountPath, mount.ReadOnlyProperty ?? false));
        }
        // Nobody else's private keys: no other service's owners appear among its secrets at all.
        var others = Catalogue.Where(s => s.Name != service).SelectMany(s => s.KeyOwners);
        Assert.DoesNotContain(secrets.Values, s => others.Any(o => s == $"{o}-sealing-key"));
        // Only public halves of the others' keys, read-only, from ConfigMaps.
        var publicFolders = container.VolumeMounts.Where(m => m.MountPath.StartsWith("/public-keys/", StringComparison.Ordinal)).ToList();
        Assert.Equal(
            entry.KeyOwners.Concat(entry.ReadsPublicKeysOf).Select(o => $"/public-keys/{o}").Order(StringComparer.Ordinal),
            publicFolders.Select(m => m.MountPath).Order(StringComparer.Ordinal)
        );
        Assert.All(publicFolders, m => Assert.True(m.ReadOnlyProperty));
        Assert.All(publicFolders, m => Assert.NotNull(pod.Volumes.Single(v => v.Name == m.Name).ConfigMap));
    }

    [Fact]
    public void The_console_mounts_no_key_folder_and_no_broker_or_database_secret_and_calls_the_services_apis()
    {
        var entry = Assert.Single(Catalogue, s => !s.OnTheBus);
        Assert.Equal("console", entry.Name);
        var pod = DeploymentOf(entry.Name).Spec.Template.Spec;
        var container = Assert.Single(pod.Containers);
        // Nothing of the bus, the databases or the sealing keys: no such variable, no such volume.
        Assert.DoesNotContain(
            container.Env,
            e =>
                e.Name.StartsWith("Messaging__", StringComparison.Ordinal)
                || e.Name.StartsWith("ConnectionStrings__", StringComparison.Ordinal)
                || e.Name.StartsWith("Database__", StringComparison.Ordinal)
                || e.Name.StartsWith("Sealing__", StringComparison.Ordinal)
        );
        Assert.DoesNotContain(
            container.VolumeMounts,
            m =>
                m.MountPath.StartsWith("/sealing-keys", StringComparison.Ordinal)
                || m.MountPath.StartsWith("/public-keys", StringComparison.Ordinal)
        );
        var secretNames = pod
            .Volumes.Where(v => v.Secret is not null)
            .Select(v => v.Secret.SecretName)
            .Concat(container.Env.Select(e => e.ValueFrom?.SecretKeyRef?.Name).OfType<string>())
            .ToList();
        Assert.Equal(["console-oidc"], secretNames.Distinct());
        Assert.DoesNotContain(
            secretNames,
            n =>
                n.EndsWith("-broker", StringComparison.Ordinal)
                || n.EndsWith("-database", StringComparison.Ordinal)
                || n.EndsWith("-sealing-key", StringComparison.Ordinal)
        );

        // Each API it calls, at that service's Service in the namespace, on its HTTP port.
        var services = Catalogue.Where(s => s.OnTheBus).Select(s => s.Name).Order(StringComparer.Ordinal);
        Assert.Equal(services, entry.CallsApisOf.Order(StringComparer.Ordinal));
        foreach (var api in entry.CallsApisOf)
        {
            var target = Assert.Single(Load($"{api}.yaml").OfType<V1Service>());
            Assert.Equal(
                new Uri($"http://{target.Metadata.Name}:{target.Spec.Ports.Single().Port}"),
                new Uri(container.Env.Single(e => e.Name == $"Console__Apis__{api}").Value)
            );
        }

        // Users sign in at the identity provider: its address from a ConfigMap, the client secret from a Secret.
        Assert.Equal("console-oidc", container.Env.Single(e => e.Name == "Console__Oidc__Authority").ValueFrom?.ConfigMapKeyRef?.Name);
        Assert.Equal("console-oidc", container.Env.Single(e => e.Name == "Console__Oidc__ClientId").ValueFrom?.ConfigMapKeyRef?.Name);
        var clientSecret = container.Env.Single(e => e.Name == "Console__Oidc__ClientSecret");
        Assert.Null(clientSecret.Value);
        Assert.Equal(
            ("console-oidc", "client-secret"),
            (clientSecret.ValueFrom?.SecretKeyRef?.Name, clientSecret.ValueFrom?.SecretKeyRef?.Key)
        );
        // No demo sign-in: the identity provider's signing key is configured.
        Assert.Contains(container.Env, e => e.Name == "Authentication__SigningKeyFiles__0" && e.Value is { Length: > 0 });

        // Its replicas share the key ring that encrypts the session cookie: one claim every pod mounts, writable.
        var keyRing = container.Env.Single(e => e.Name == "Console__KeyRingDirectory").Value;
        var mount = container.VolumeMounts.Single(m => m.MountPath == keyRing);
        Assert.NotEqual(true, mount.ReadOnlyProperty);
        var claim = pod.Volumes.Single(v => v.Name == mount.Name).PersistentVolumeClaim?.ClaimName;
        var declared = Assert.Single(Load("console.yaml").OfType<V1PersistentVolumeClaim>(), c => c.Metadata.Name == claim);
        Assert.Contains("ReadWriteMany", declared.Spec.AccessModes);
    }

    private static V1StatefulSet RabbitMq() => Assert.Single(Load("rabbitmq.yaml").OfType<V1StatefulSet>());

    [Fact]
    public void RabbitMQ_is_a_three_node_stateful_set_loaded_with_the_definitions()
    {
        var documents = Load("rabbitmq.yaml");
        var broker = RabbitMq();
        Assert.Equal(3, broker.Spec.Replicas);
        Assert.Equal("rabbitmq-nodes", broker.Spec.ServiceName);
        Assert.Contains(documents.OfType<V1Service>(), s => s.Metadata.Name == "rabbitmq-nodes" && s.Spec.ClusterIP == "None");
        Assert.Single(broker.Spec.VolumeClaimTemplates);
        var pod = broker.Spec.Template.Spec;
        var container = Assert.Single(pod.Containers);
        Assert.NotNull(container.ReadinessProbe?.Exec);
        Assert.NotNull(container.LivenessProbe?.Exec);
        Assert.True(pod.SecurityContext?.RunAsNonRoot);
        Assert.True(container.Resources?.Limits?.ContainsKey("memory"));
        // Its configuration loads the definitions from their Secret (password hashes), and peers find each other.
        var config = documents.OfType<V1ConfigMap>().Single(c => c.Metadata.Name == "rabbitmq-config").Data["rabbitmq.conf"];
        Assert.Contains("load_definitions = /etc/rabbitmq/definitions/definitions.json", config);
        Assert.Contains("quorum_cluster_size = 3", config);
        Assert.Contains("cluster_formation.peer_discovery_backend = rabbit_peer_discovery_k8s", config);
        var definitions = container.VolumeMounts.Single(m => m.MountPath == "/etc/rabbitmq/definitions");
        Assert.Equal("rabbitmq-definitions", pod.Volumes.Single(v => v.Name == definitions.Name).Secret?.SecretName);
        Assert.Equal("rabbitmq-erlang-cookie", container.Env.Single(e => e.Name == "RABBITMQ_ERLANG_COOKIE").ValueFrom?.SecretKeyRef?.Name);
    }

    [Fact]
    public void The_manifests_are_what_the_generator_writes_from_the_catalogue()
    {
        // Edited by hand, or a catalogue change not generated: the committed files differ from the generator's.
        var folder = Directory.CreateTempSubdirectory("coordination-k8s-").FullName;
        try
        {
            var start = new System.Diagnostics.ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[] { Path.Combine(Folder, "generate.py"), "--out", folder })
                start.ArgumentList.Add(argument);
            using var generator =
                System.Diagnostics.Process.Start(start)
                ?? throw new InvalidOperationException(
                    "python3 (with PyYAML, Debian's python3-yaml) is needed to run " + "infra/k8s/generate.py"
                );
            var error = generator.StandardError.ReadToEnd();
            generator.WaitForExit(30_000);
            Assert.True(generator.ExitCode == 0, $"infra/k8s/generate.py failed: {error}");
            foreach (var generated in Directory.GetFiles(folder))
                Assert.True(
                    File.ReadAllText(generated) == File.ReadAllText(Path.Combine(Folder, Path.GetFileName(generated))),
                    $"infra/k8s/{Path.GetFileName(generated)} is not what infra/k8s/generate.py writes: run it"
                );
            Assert.Equal(Directory.GetFiles(folder).Length, Directory.GetFiles(Folder, "*.yaml").Length);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
        foreach (var service in Catalogue)
            Assert.True(File.Exists(Repository.File(service.Project.Split('/'))), $"{service.Project} of the catalogue does not exist");
    }
}

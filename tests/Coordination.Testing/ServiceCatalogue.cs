using System.Text.Json;

namespace Coordination.Testing;

/// <summary>infra/services.json: the platform's services, the one list compose, the broker's definitions and infra/k8s follow.</summary>
public static class ServiceCatalogue
{
    /// <summary>One service; <see cref="Account"/> and <see cref="QueuePrefix"/> are null for the console (it takes no message).</summary>
    public sealed record Entry(
        string Name,
        string Project,
        string? Account,
        string? QueuePrefix,
        int Port,
        string[] KeyOwners,
        string[] ReadsPublicKeysOf,
        string[] CallsApisOf,
        string[] Publishes,
        string[] Consumes
    )
    {
        public bool OnTheBus => Account is not null;

        /// <summary>The service's assembly, named after its project (the test project references every service).</summary>
        public System.Reflection.Assembly Assembly => System.Reflection.Assembly.Load(Path.GetFileNameWithoutExtension(Project));
    }

    /// <summary>The folder of the service's project under services/ (Gateway, CourtReporting…).</summary>
    public static string FolderOf(Entry service) => Path.GetFileName(Path.GetDirectoryName(service.Project)!);

    /// <summary>The services that take messages, each under its own broker account.</summary>
    public static IReadOnlyList<Entry> OnTheBus() => Load().Where(s => s.OnTheBus).ToList();

    public static IReadOnlyList<Entry> Load()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Repository.File("infra", "services.json")));
        return document
            .RootElement.GetProperty("services")
            .EnumerateArray()
            .Select(s => s.Deserialize<Entry>(new JsonSerializerOptions(JsonSerializerDefaults.Web))!)
            .ToList();
    }
}

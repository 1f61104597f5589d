using System.Reflection;

namespace Coordination.Contracts.Schemas;

/// <summary>The JSON Schemas of the agency wire format, as published in docs/agency-integration.md.</summary>
public static class AgencySchemas
{
    public const string Envelope = "ingress-envelope";

    public static string FileName(string type, int version) => $"{type}.v{version}.schema.json";

    public static IEnumerable<string> Names =>
        typeof(AgencySchemas).Assembly.GetManifestResourceNames().Where(n => n.EndsWith(".schema.json", StringComparison.Ordinal));

    public static string? Read(string resourceName)
    {
        using var stream = typeof(AgencySchemas).Assembly.GetManifestResourceStream(resourceName);
        if (stream is null)
            return null;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

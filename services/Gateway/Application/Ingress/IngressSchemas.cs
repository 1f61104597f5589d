using System.Text.Json;
using Coordination.Contracts.Schemas;
using Coordination.Gateway.Application;
using Coordination.Gateway.Application.Ingress.Types;
using Coordination.Gateway.Domain;
using Json.Schema;

namespace Coordination.Gateway.Application.Ingress;

/// <summary>The published JSON Schemas, compiled once, evaluated with format checks on.</summary>
public sealed class IngressSchemas
{
    // Compiled once per process: the library keeps a process-wide registry keyed by each schema's $id.
    private static readonly Lazy<Dictionary<string, JsonSchema>> Compiled = new(() =>
        AgencySchemas.Names.ToDictionary(n => n, n => JsonSchema.FromText(AgencySchemas.Read(n)!))
    );
    private readonly Dictionary<string, JsonSchema> _schemas = Compiled.Value;
    private static readonly EvaluationOptions Options = new() { OutputFormat = OutputFormat.List, RequireFormatValidation = true };

    public bool Has(string type, int version) => _schemas.ContainsKey(AgencySchemas.FileName(type, version));

    public IReadOnlyList<string> EnvelopeErrors(JsonElement envelope) =>
        Evaluate(_schemas[$"{AgencySchemas.Envelope}.schema.json"], envelope);

    public IReadOnlyList<string> PayloadErrors(string type, int version, JsonElement payload) =>
        Evaluate(_schemas[AgencySchemas.FileName(type, version)], payload);

    /// <summary>Locations and keywords only: a schema library's message may quote the value received.</summary>
    private static List<string> Evaluate(JsonSchema schema, JsonElement instance)
    {
        EvaluationResults results;
        try
        {
            results = schema.Evaluate(instance, Options);
        }
        catch (Exception ex) when (ex is FormatException or OverflowException)
        {
            // uniqueItems compares numbers as decimal: a number in an array past decimal's range (1e309,
            // valid JSON) throws there. No published array holds numbers, so it is an item of the wrong type.
            return ["/: uniqueItems"];
        }
        if (results.IsValid)
            return [];
        return (results.Details ?? [])
            .Where(d => !d.IsValid && d.Errors is { Count: > 0 })
            .SelectMany(d =>
                d.Errors!.Keys.Select(keyword => $"{(d.InstanceLocation.ToString() is { Length: > 0 } at ? at : "/")}: {keyword}")
            )
            .Distinct()
            .ToList();
    }
}

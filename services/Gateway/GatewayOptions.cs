namespace Coordination.Gateway;

public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>Adopt the demo sharing rules for a demo territory (75, 93) that has none. On in the demo; off in production.</summary>
    public bool SeedDemoRules { get; set; } = true;

    /// <summary>A deployment's own release policy (JSON, as <c>Release/release-policy.json</c>); the shipped one by default.</summary>
    public string? ReleasePolicyFile { get; set; }
}

namespace Coordination.Gateway;

public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>
    /// Adopt the demo sharing rules for a demo territory (75, 93) that has none. Unset: only in the
    /// Development environment, so that a production gateway never adopts rules nobody voted.
    /// </summary>
    public bool? SeedDemoRules { get; set; }

    /// <summary>A deployment's own release policy (JSON, as <c>Release/release-policy.json</c>); the shipped one by default.</summary>
    public string? ReleasePolicyFile { get; set; }
}

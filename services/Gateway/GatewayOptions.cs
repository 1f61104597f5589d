namespace Coordination.Gateway;

public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>
    /// Adopt the demo sharing rules for a demo territory (75, 93) that has none. Unset: only in the
    /// Development environment, so that a production gateway never adopts rules nobody voted.
    /// </summary>
    public bool? SeedDemoRules { get; set; }

    /// <summary>
    /// Register the demo directory (the demo agencies, jurisdictions tj-paris and tj-bobigny, the demo partners) in an
    /// empty directory. Unset: only in Development; a production gateway starts with an empty directory (ADR 16).
    /// </summary>
    public bool? SeedDemoDirectory { get; set; }

    /// <summary>A deployment's own release policy (JSON, as <c>Release/release-policy.json</c>); the shipped one by default.</summary>
    public string? ReleasePolicyFile { get; set; }
}

namespace Coordination.Gateway;

public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>A deployment's own release policy (JSON, as <c>Domain/release-policy.json</c>); the shipped one by default.</summary>
    public string? ReleasePolicyFile { get; set; }
}

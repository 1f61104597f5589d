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
    /// Platform services that may be release recipients, by name, with the role the sharing rules
    /// grant to (e.g. <c>Gateway:ServiceRecipients:supervision = operational-cell</c>). None by default.
    /// A release to <c>service:&lt;name&gt;</c> is delivered on the bus as <c>ConfidentialPayloadDelivered</c>.
    /// </summary>
    public Dictionary<string, string> ServiceRecipients { get; set; } = [];
}

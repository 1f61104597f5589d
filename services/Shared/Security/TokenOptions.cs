namespace Coordination.ServiceDefaults.Security;

/// <summary>Bound from <c>Authentication</c>: who issues tokens, for whom, and the keys that sign them.</summary>
public sealed class TokenOptions
{
    public const string Section = "Authentication";

    public string Issuer { get; set; } = "coordination-dev";
    public string Audience { get; set; } = "coordination";

    /// <summary>PEM files of the issuer's public keys (ECDSA P-256). Set in production; rotation: list old and new.</summary>
    public string[] SigningKeyFiles { get; set; } = [];

    /// <summary>
    /// Development only, used when no <see cref="SigningKeyFiles"/> are set: a private key created on
    /// first use (default <c>&lt;Database:Directory&gt;/dev-signing-key.pem</c>) that validates tokens
    /// and that <c>dev-token</c> signs with.
    /// </summary>
    public string? DevelopmentKeyFile { get; set; }

    public TimeSpan DevelopmentTokenLifetime { get; set; } = TimeSpan.FromHours(8);
}

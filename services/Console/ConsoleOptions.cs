namespace Coordination.WebConsole;

/// <summary>Bound from <c>Console</c>: where the services' APIs answer and how users sign in.</summary>
public sealed class ConsoleOptions
{
    public const string Section = "Console";

    /// <summary>
    /// One base address for every API (a gateway in front of the services). Unset: the host's own
    /// address, which is right for the all-in-one host, where every API runs beside the console.
    /// </summary>
    public string? ApiBaseUrl { get; set; }

    /// <summary>
    /// Per service (<c>gateway</c>, <c>briefings</c>, <c>opinions</c>, <c>supervision</c>, <c>court-reporting</c>): the distributed layout.
    /// </summary>
    public Dictionary<string, string> Apis { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public OidcOptions Oidc { get; set; } = new();

    /// <summary>
    /// A folder every instance of the console shares (a volume): the data-protection key ring that encrypts the
    /// session cookie, so that any instance reads the cookie another one wrote. Unset: the host's default
    /// (one instance, or the all-in-one host).
    /// </summary>
    public string? KeyRingDirectory { get; set; }

    /// <summary>How long a signed-in session lasts at most; never longer than the token it carries.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);
}

/// <summary>The territory's identity provider, the one whose access tokens the APIs accept (<c>Authentication:Issuer</c>).</summary>
public sealed class OidcOptions
{
    public string? Authority { get; set; }
    public string? ClientId { get; set; }
    public string? ClientSecret { get; set; }

    /// <summary>Scopes asked besides <c>openid profile</c>: those that put the API audience in the access token.</summary>
    public string[] Scopes { get; set; } = [];

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Authority) && !string.IsNullOrWhiteSpace(ClientId);
}

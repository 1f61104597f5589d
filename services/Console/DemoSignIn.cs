using Coordination.ServiceDefaults.Security;

namespace Coordination.WebConsole;

/// <summary>
/// Development only: signs in as one of the demo principals with a token signed by the development
/// key, as <c>dev-token</c> does. Anywhere else, or once real signing keys are configured, it does not exist.
/// </summary>
public sealed class DemoSignIn(IHostEnvironment environment, IConfiguration configuration)
{
    private readonly TokenOptions _tokens = configuration.GetSection(TokenOptions.Section).Get<TokenOptions>() ?? new TokenOptions();

    public bool Available => environment.IsDevelopment() && _tokens.SigningKeyFiles.Length == 0;

    /// <summary>The people who use the console: operators and auditors (agency systems use the doors, not the console).</summary>
    public IReadOnlyList<DemoPrincipal> Principals { get; } =
        DemoPrincipals.All.Where(p => p.Kind is PrincipalKind.Operator or PrincipalKind.Auditor).ToList();

    public string IssueToken(DemoPrincipal principal)
    {
        if (!Available)
            throw new InvalidOperationException("Demo sign-in exists only in the Development environment.");
        var key = SigningKeys.LoadOrCreateDevelopmentKey(SigningKeys.DevelopmentKeyPath(configuration, _tokens));
        // Real time, not the host's clock: the APIs check the token's lifetime against real time.
        return DevelopmentTokens.Issue(principal, key, _tokens, DateTimeOffset.UtcNow);
    }

    public TimeSpan Lifetime => _tokens.DevelopmentTokenLifetime;
}

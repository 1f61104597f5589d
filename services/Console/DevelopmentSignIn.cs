using Coordination.Contracts.Values;
using Coordination.ServiceDefaults.Security;

namespace Coordination.WebConsole;

/// <summary>
/// Development only: signs in as one of the principals of <c>Console:DevelopmentPrincipals</c> with a token signed
/// by the development key, as <c>dev-token</c> does. The list is configuration (the all-in-one host and compose
/// give the demo's), not code: the console knows no demo principal. Anywhere else, or once real signing keys are
/// configured, it does not exist.
/// </summary>
public sealed class DevelopmentSignIn
{
    /// <summary>
    /// Each entry: <c>&lt;name&gt; &lt;role&gt; &lt;territory&gt;[,&lt;territory&gt;…]</c>, e.g. <c>secretariat-75 cdpd-secretariat 75</c>.
    /// </summary>
    public const string Section = "Console:DevelopmentPrincipals";

    private readonly IConfiguration _configuration;
    private readonly TokenOptions _tokens;

    public DevelopmentSignIn(IHostEnvironment environment, IConfiguration configuration)
    {
        _configuration = configuration;
        _tokens = configuration.GetSection(TokenOptions.Section).Get<TokenOptions>() ?? new TokenOptions();
        Available = environment.IsDevelopment() && _tokens.SigningKeyFiles.Length == 0;
        Principals = Available ? (configuration.GetSection(Section).Get<string[]>() ?? []).Select(Parse).ToList() : [];
    }

    public bool Available { get; }

    /// <summary>The people who use the console: operators and auditors (agency systems use the doors, not the console).</summary>
    public IReadOnlyList<DevelopmentPrincipal> Principals { get; }

    public string IssueToken(DevelopmentPrincipal principal)
    {
        if (!Available)
            throw new InvalidOperationException("Development sign-in exists only in the Development environment.");
        var key = SigningKeys.LoadOrCreateDevelopmentKey(SigningKeys.DevelopmentKeyPath(_configuration, _tokens));
        // Real time, not the host's clock: the APIs check the token's lifetime against real time.
        return DevelopmentTokens.Issue(principal, key, _tokens, DateTimeOffset.UtcNow);
    }

    public TimeSpan Lifetime => _tokens.DevelopmentTokenLifetime;

    /// <summary>One entry of <see cref="Section"/>; a malformed one stops the start, rather than hide a principal from the list.</summary>
    public static DevelopmentPrincipal Parse(string entry)
    {
        var words = entry.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (
            words.Length != 3
            || !ClosedList<PrincipalRole>.TryParse(words[1], out var role)
            || KindOf(role) is not { } kind
            || words[2].Split(',') is not { Length: > 0 } territories
            || !territories.All(t => TerritoryCode.TryParse(t, out _))
        )
            throw new InvalidOperationException(
                $"{Section}: '{entry}' is not '<name> <role> <territory>[,<territory>...]' with an operator's or auditor's role."
            );
        return new DevelopmentPrincipal(words[0], kind, role, territories, null);
    }

    private static PrincipalKind? KindOf(PrincipalRole role) =>
        role switch
        {
            PrincipalRole.CdpdSecretariat or PrincipalRole.SecurityStaffMember or PrincipalRole.OperationalCellMember =>
                PrincipalKind.Operator,
            PrincipalRole.Auditor => PrincipalKind.Auditor,
            _ => null,
        };
}

using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Coordination.ServiceDefaults.Security;

/// <summary>
/// Who a development token says its bearer is: the claims a territory's identity provider would put in a real
/// one. The demo's principals are data of the demo project (demo/Coordination.Demo, ADR 18); the console's
/// development sign-in reads its own from configuration.
/// </summary>
public sealed record DevelopmentPrincipal(
    string Name,
    PrincipalKind Kind,
    PrincipalRole Role,
    IReadOnlyList<string> Territories,
    string? Agency
);

/// <summary>
/// Development tokens, signed by the local development key (<see cref="SigningKeys.LoadOrCreateDevelopmentKey"/>),
/// which only a Development host trusts.
/// </summary>
public static class DevelopmentTokens
{
    public static string Issue(
        DevelopmentPrincipal principal,
        SecurityKey signingKey,
        TokenOptions options,
        DateTimeOffset now,
        TimeSpan? lifetime = null,
        string? audience = null
    )
    {
        var claims = new List<Claim>
        {
            new(CoordinationClaims.Subject, principal.Name),
            new(CoordinationClaims.Kind, CoordinationClaims.Word(principal.Kind)),
            new(CoordinationClaims.Role, CoordinationClaims.Word(principal.Role)),
        };
        claims.AddRange(principal.Territories.Select(t => new Claim(CoordinationClaims.Territory, t)));
        if (principal.Agency is not null)
            claims.Add(new Claim(CoordinationClaims.Agency, principal.Agency));

        var expires = now + (lifetime ?? options.DevelopmentTokenLifetime);
        // A negative lifetime (tests' expired tokens) still needs a validity window that starts before it ends.
        var issued = expires < now ? expires - TimeSpan.FromMinutes(5) : now;
        return new JsonWebTokenHandler().CreateToken(
            new SecurityTokenDescriptor
            {
                Issuer = options.Issuer,
                Audience = audience ?? options.Audience,
                Subject = new ClaimsIdentity(claims),
                IssuedAt = issued.UtcDateTime,
                NotBefore = issued.UtcDateTime,
                Expires = expires.UtcDateTime,
                SigningCredentials = new SigningCredentials(signingKey, SecurityAlgorithms.EcdsaSha256),
            }
        );
    }
}

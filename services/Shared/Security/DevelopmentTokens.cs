using System.Security.Claims;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Coordination.ServiceDefaults.Security;

/// <summary>Development tokens for the demo principals, signed by the local development key.</summary>
public static class DevelopmentTokens
{
    public static string Issue(
        DemoPrincipal principal,
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

    /// <summary>
    /// <c>dev-token &lt;principal&gt;</c> prints a token; <c>dev-token --list</c> lists the demo
    /// principals. Returns the process exit code. Development only: elsewhere no host trusts the key it
    /// would sign with, and it must not leave one on the disk.
    /// </summary>
    public static int RunCommand(
        string[] arguments,
        IConfiguration configuration,
        IHostEnvironment environment,
        TextWriter output,
        TextWriter error
    )
    {
        if (!environment.IsDevelopment())
        {
            error.WriteLine(
                $"dev-token works only in the Development environment (ASPNETCORE_ENVIRONMENT=Development); this host runs as '{environment.EnvironmentName}', where tokens come from the territory's identity provider."
            );
            return 2;
        }
        var options = configuration.GetSection(TokenOptions.Section).Get<TokenOptions>() ?? new TokenOptions();
        if (options.SigningKeyFiles.Length > 0)
        {
            error.WriteLine("Authentication:SigningKeyFiles is set: tokens come from your identity provider, not from dev-token.");
            return 2;
        }
        if (arguments.Length == 0 || arguments[0] == "--list")
        {
            foreach (var p in DemoPrincipals.All)
                output.WriteLine(
                    $"{p.Name, -20} {CoordinationClaims.Word(p.Kind), -14} {CoordinationClaims.Word(p.Role), -28} {string.Join(",", p.Territories)}"
                );
            return arguments.Length == 0 ? 2 : 0;
        }
        DemoPrincipal principal;
        try
        {
            principal = DemoPrincipals.Named(arguments[0]);
        }
        catch (ArgumentException e)
        {
            error.WriteLine(e.Message);
            return 2;
        }

        var key = SigningKeys.LoadOrCreateDevelopmentKey(SigningKeys.DevelopmentKeyPath(configuration, options));
        output.WriteLine(Issue(principal, key, options, DateTimeOffset.UtcNow));
        return 0;
    }
}

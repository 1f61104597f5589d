using System.Security.Claims;
using Coordination.ServiceDefaults.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Coordination.WebConsole;

/// <summary>The console's own sign-in: a cookie that carries the user's access token, never a key.</summary>
public static class ConsoleAuthentication
{
    public const string CookieScheme = "coordination-console";
    public const string OidcScheme = "coordination-console-oidc";
    public const string Policy = "console-user";
    public const string CookieName = "coordination-console";
    public const string AccessToken = "access_token";

    /// <summary>
    /// The claims the console shows and scopes its menus with, read from the access token. Only for
    /// display: every API validates the token itself and decides.
    /// </summary>
    public static ClaimsIdentity IdentityFromAccessToken(string accessToken)
    {
        var token = new JsonWebToken(accessToken);
        var kept = token
            .Claims.Where(c =>
                c.Type
                    is CoordinationClaims.Subject
                        or CoordinationClaims.Kind
                        or CoordinationClaims.Role
                        or CoordinationClaims.Territory
                        or CoordinationClaims.Agency
                        or "name"
            )
            .Select(c => new Claim(c.Type, c.Value));
        return new ClaimsIdentity(kept, CookieScheme, CoordinationClaims.Subject, CoordinationClaims.Role);
    }

    public static Task<string?> AccessTokenAsync(this HttpContext context) => context.GetTokenAsync(CookieScheme, AccessToken);
}

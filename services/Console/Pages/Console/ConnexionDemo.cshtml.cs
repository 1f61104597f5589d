using System.Security.Claims;
using Coordination.ServiceDefaults.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;

namespace Coordination.WebConsole.Pages.Console;

/// <summary>Development only: sign in as a demo principal. Anywhere else this page does not exist (404).</summary>
public sealed class ConnexionDemoModel(DevelopmentSignIn demo) : ConsolePageModel
{
    public IReadOnlyList<DevelopmentPrincipal> Principals => demo.Principals;

    public IActionResult OnGet(bool expiree = false)
    {
        if (!demo.Available)
            return NotFound();
        if (expiree)
            Message = T["SignIn.Expired"];
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string? principal)
    {
        if (!demo.Available)
            return NotFound();
        var chosen = demo.Principals.SingleOrDefault(p => p.Name == principal);
        if (chosen is null)
        {
            Message = T["Demo.Unknown"];
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        var token = demo.IssueToken(chosen);
        var properties = new AuthenticationProperties { IsPersistent = false, ExpiresUtc = DateTimeOffset.UtcNow + demo.Lifetime };
        properties.StoreTokens([new AuthenticationToken { Name = ConsoleAuthentication.AccessToken, Value = token }]);
        await HttpContext.SignInAsync(
            ConsoleAuthentication.CookieScheme,
            new ClaimsPrincipal(ConsoleAuthentication.IdentityFromAccessToken(token)),
            properties
        );
        return Redirect(chosen.Kind == PrincipalKind.Auditor ? "/console/audit" : "/");
    }
}

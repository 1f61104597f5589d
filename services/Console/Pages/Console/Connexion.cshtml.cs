using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Coordination.WebConsole.Pages.Console;

/// <summary>
/// Sign-in: the identity provider (OpenID Connect) where one is configured; in Development without
/// one, the demo page. Otherwise the console says that sign-in is not configured: it fails closed.
/// </summary>
public sealed class ConnexionModel(IOptions<ConsoleOptions> options, DevelopmentSignIn demo) : ConsolePageModel
{
    public IActionResult OnGet(bool expiree = false)
    {
        if (options.Value.Oidc.IsConfigured)
            return Challenge(new AuthenticationProperties { RedirectUri = "/" }, ConsoleAuthentication.OidcScheme);
        if (demo.Available)
            return Redirect(expiree ? "/console/connexion-demo?expiree=1" : "/console/connexion-demo");
        Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        return Page();
    }
}

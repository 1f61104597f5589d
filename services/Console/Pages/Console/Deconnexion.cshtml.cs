using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Coordination.WebConsole.Pages.Console;

public sealed class DeconnexionModel(IOptions<ConsoleOptions> options) : ConsolePageModel
{
    public IActionResult OnGet() => Redirect("/");

    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(ConsoleAuthentication.CookieScheme);
        if (options.Value.Oidc.IsConfigured)
            return SignOut(new AuthenticationProperties { RedirectUri = "/" }, ConsoleAuthentication.OidcScheme);
        return Redirect("/console/connexion");
    }
}

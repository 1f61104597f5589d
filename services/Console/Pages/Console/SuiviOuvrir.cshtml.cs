using Microsoft.AspNetCore.Mvc;

namespace Coordination.WebConsole.Pages.Console;

/// <summary>The search form's target: goes to the case page, where the API decides whether it may be shown.</summary>
public sealed class SuiviOuvrirModel : ConsolePageModel
{
    public IActionResult OnGet(string? person) =>
        string.IsNullOrWhiteSpace(person) ? Redirect("/console/suivi") : Redirect($"/console/suivi/{Uri.EscapeDataString(person.Trim())}");
}

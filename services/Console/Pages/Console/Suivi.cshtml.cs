using System.Net;
using System.Text.Json.Nodes;
using Coordination.WebConsole.Api;
using Microsoft.AspNetCore.Mvc;

namespace Coordination.WebConsole.Pages.Console;

/// <summary>Community supervision (3°): the cases of the user's territories, by PersonRef only.</summary>
public sealed class SuiviModel : ConsolePageModel
{
    public List<JsonNode> Cases { get; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var list = await Api.GetAsync(ApiServices.Supervision, "supervision/cases", ct);
        if (list.Status == HttpStatusCode.Unauthorized)
            return await ReconnectAsync();
        if (!list.Ok)
            Refused(list, keepStatus: true);
        Cases.AddRange(list.Items.OfType<JsonNode>());
        return Page();
    }

    public static int Count(JsonNode c, Func<JsonNode, bool> which) => (c["controls"]?.AsArray() ?? []).OfType<JsonNode>().Count(which);
}

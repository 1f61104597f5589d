using System.Net;
using System.Text.Json.Nodes;
using Coordination.Contracts.Briefings;
using Coordination.Contracts.Values;
using Coordination.WebConsole.Api;
using Microsoft.AspNetCore.Mvc;

namespace Coordination.WebConsole.Pages.Console;

/// <summary>The prosecutor's penal-policy briefings (1°): the list, and the form that records one.</summary>
public sealed class ReunionsModel : ConsolePageModel
{
    public static IReadOnlyList<string> Themes { get; } = ClosedList<PenalPolicyTheme>.Words.Order(StringComparer.Ordinal).ToList();

    public List<JsonNode> Briefings { get; } = [];

    [BindProperty]
    public string? Territory { get; set; }

    [BindProperty]
    public string? BriefedOn { get; set; }

    [BindProperty]
    public string? ProsecutorOffice { get; set; }

    [BindProperty]
    public string? PrioritySecurityZone { get; set; }

    [BindProperty]
    public List<string> PriorityThemes { get; set; } = [];

    [BindProperty]
    public string? Summary { get; set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        Territory ??= Territories.FirstOrDefault();
        return await ListAsync(ct) ?? Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var result = await Api.PostAsync(
            ApiServices.Briefings,
            "briefings",
            new
            {
                territory = Territory,
                briefedOn = string.IsNullOrWhiteSpace(BriefedOn) ? null : BriefedOn,
                prosecutorOffice = ProsecutorOffice,
                prioritySecurityZone = string.IsNullOrWhiteSpace(PrioritySecurityZone) ? null : PrioritySecurityZone,
                priorityThemes = PriorityThemes,
                summary = Summary,
            },
            ct
        );
        if (result.Status == HttpStatusCode.Unauthorized)
            return await ReconnectAsync();
        if (result.Ok)
        {
            Success = T["Briefings.Recorded", FrenchTime.Date((string?)result.Body?["briefedOn"]), (string?)result.Body?["territory"]];
            return Redirect("/console/reunions");
        }
        Refused(result);
        Response.StatusCode = (int)result.Status;
        return await ListAsync(ct) ?? Page();
    }

    private async Task<IActionResult?> ListAsync(CancellationToken ct)
    {
        var list = await Api.GetAsync(ApiServices.Briefings, "briefings", ct);
        if (list.Status == HttpStatusCode.Unauthorized)
            return await ReconnectAsync();
        if (!list.Ok && Message is null)
            Refused(list, keepStatus: true);
        Briefings.AddRange(list.Items.OfType<JsonNode>().OrderByDescending(b => (string?)b["briefedOn"]));
        return null;
    }
}

using System.Net;
using System.Text.Json.Nodes;
using Coordination.WebConsole.Api;
using Microsoft.AspNetCore.Mvc;

namespace Coordination.WebConsole.Pages.Console;

/// <summary>Court reports (4°): the list per jurisdiction, and issuing the next one now, before a meeting.</summary>
public sealed class RapportsModel : ConsolePageModel
{
    public List<JsonNode> Reports { get; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) => await ListAsync(ct) ?? Page();

    public async Task<IActionResult> OnPostIssueAsync(string? jurisdiction, CancellationToken ct)
    {
        var result = await Api.PostAsync(
            ApiServices.CourtReporting,
            $"court-reporting/jurisdictions/{Uri.EscapeDataString(jurisdiction ?? "")}/reports",
            null,
            ct
        );
        if (result.Status == HttpStatusCode.Unauthorized)
            return await ReconnectAsync();
        if (result.Ok)
        {
            Success = T["Reports.Issued", (int?)result.Body?["number"]];
            return Redirect($"/console/rapports/{(string?)result.Body?["jurisdiction"]}/{(int?)result.Body?["number"]}");
        }
        Refused(result);
        Response.StatusCode = (int)result.Status;
        return await ListAsync(ct) ?? Page();
    }

    private async Task<IActionResult?> ListAsync(CancellationToken ct)
    {
        // The jurisdictions of the user's territories, the ones the API would answer for: one button each.
        await LoadJurisdictionsAsync(ct);
        var list = await Api.GetAsync(ApiServices.CourtReporting, "court-reporting/reports", ct);
        if (list.Status == HttpStatusCode.Unauthorized)
            return await ReconnectAsync();
        if (!list.Ok && Message is null)
            Refused(list, keepStatus: true);
        Reports.AddRange(list.Items.OfType<JsonNode>());
        return null;
    }

    public static string StatusClass(string? status) =>
        status switch
        {
            "released" => "etat-ok",
            "refused" => "etat-alerte",
            "held" => "etat-attention",
            _ => "etat-neutre",
        };
}

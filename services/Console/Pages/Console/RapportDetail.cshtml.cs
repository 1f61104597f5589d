using System.Net;
using System.Text.Json.Nodes;
using Coordination.WebConsole.Api;
using Microsoft.AspNetCore.Mvc;

namespace Coordination.WebConsole.Pages.Console;

/// <summary>One court report: its figures, its lines by PersonRef, and what each recipient's delivery became.</summary>
public sealed class RapportDetailModel : ConsolePageModel
{
    public JsonNode? Report { get; private set; }

    public async Task<IActionResult> OnGetAsync(string jurisdiction, int number, CancellationToken ct)
    {
        var result = await Api.GetAsync(
            ApiServices.CourtReporting,
            $"court-reporting/reports/{Uri.EscapeDataString(jurisdiction)}/{number}",
            ct
        );
        if (result.Status == HttpStatusCode.Unauthorized)
            return await ReconnectAsync();
        if (!result.Ok)
            Refused(result, keepStatus: true);
        else
            Report = result.Body;
        await LoadJurisdictionsAsync(ct);
        return Page();
    }
}

using System.Net;
using System.Text.Json.Nodes;
using Coordination.Contracts.Values;
using Coordination.WebConsole.Api;
using Microsoft.AspNetCore.Mvc;

namespace Coordination.WebConsole.Pages.Console;

/// <summary>Art. 41-1 reviews (2°): those of the user's territories, and the form that opens one.</summary>
public sealed class AvisModel : ConsolePageModel
{
    public static IReadOnlyList<string> Measures { get; } = ClosedList<Art41MeasureKind>.Words.Order(StringComparer.Ordinal).ToList();

    public List<JsonNode> Reviews { get; } = [];

    [BindProperty]
    public string? Territory { get; set; }

    [BindProperty]
    public string? Measure { get; set; }

    [BindProperty]
    public string? PeriodStart { get; set; }

    [BindProperty]
    public string? PeriodEnd { get; set; }

    [BindProperty]
    public string? RespondBy { get; set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) => await ListAsync(ct) ?? Page();

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var result = await Api.PostAsync(
            ApiServices.Opinions,
            "opinions/reviews",
            new
            {
                territory = Territory,
                measure = Measure,
                periodStart = Blank(PeriodStart),
                periodEnd = Blank(PeriodEnd),
                respondBy = Blank(RespondBy),
            },
            ct
        );
        if (result.Status == HttpStatusCode.Unauthorized)
            return await ReconnectAsync();
        if (result.Ok)
        {
            Success = T["Reviews.Opened"];
            return Redirect($"/console/avis/{(string?)result.Body?["id"]}");
        }
        Refused(result);
        Response.StatusCode = (int)result.Status;
        return await ListAsync(ct) ?? Page();
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;

    private async Task<IActionResult?> ListAsync(CancellationToken ct)
    {
        var list = await Api.GetAsync(ApiServices.Opinions, "opinions/reviews", ct);
        if (list.Status == HttpStatusCode.Unauthorized)
            return await ReconnectAsync();
        if (!list.Ok && Message is null)
            Refused(list, keepStatus: true);
        Reviews.AddRange(list.Items.OfType<JsonNode>());
        return null;
    }
}

using System.Net;
using System.Text.Json.Nodes;
using Coordination.Contracts.Gateway;
using Coordination.Contracts.Values;
using Coordination.WebConsole.Api;
using Microsoft.AspNetCore.Mvc;

namespace Coordination.WebConsole.Pages.Console;

public sealed class RuleRow
{
    public string? Category { get; set; }
    public string? Purpose { get; set; }
    public List<string> Roles { get; set; } = [];
    public string? LegalBasis { get; set; }
    public string? EndsOn { get; set; }
}

/// <summary>
/// The sharing rules (règlement intérieur) of a territory: the version in force as a category ×
/// role table, the history, and, for the CDPD secretariat only, adopting a new version.
/// </summary>
public sealed class ReglesModel : ConsolePageModel
{
    public static IReadOnlyList<string> Categories { get; } =
        Enum.GetValues<DataCategory>().Select(ClosedList<DataCategory>.WordOf).ToList();
    public static IReadOnlyList<string> RoleWords { get; } =
        Enum.GetValues<RecipientRole>().Select(ClosedList<RecipientRole>.WordOf).ToList();
    public static IReadOnlyList<string> Purposes { get; } =
        Enum.GetValues<SharingPurpose>().Select(ClosedList<SharingPurpose>.WordOf).ToList();
    private const int BlankRows = 3;

    public string Territory { get; private set; } = "";
    public JsonNode? InForce { get; private set; }
    public List<JsonNode> History { get; } = [];

    [BindProperty]
    public List<RuleRow> Rules { get; set; } = [];

    [BindProperty]
    public string? ProposedBy { get; set; }

    [BindProperty]
    public string? InForceFrom { get; set; }

    public async Task<IActionResult> OnGetAsync(string? territoire, CancellationToken ct)
    {
        Territory = Chosen(territoire);
        var shown = await ShowAsync(ct);
        if (shown is not null)
            return shown;
        Rules = (InForce?["rules"]?.AsArray() ?? [])
            .OfType<JsonNode>()
            .Select(r => new RuleRow
            {
                Category = (string?)r["category"],
                Purpose = (string?)r["purpose"],
                LegalBasis = (string?)r["legalBasis"],
                EndsOn = (string?)r["endsOn"],
                Roles = (r["roles"]?.AsArray() ?? []).Select(x => (string?)x ?? "").ToList(),
            })
            .ToList();
        Rules.AddRange(Enumerable.Range(0, BlankRows).Select(_ => new RuleRow()));
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string? territoire, CancellationToken ct)
    {
        Territory = Chosen(territoire);
        var kept = Rules
            .Where(r => !string.IsNullOrWhiteSpace(r.Category) || r.Roles.Count > 0 || !string.IsNullOrWhiteSpace(r.Purpose))
            .ToList();
        DateTimeOffset? from = DateOnly.TryParse(InForceFrom, out var d)
            ? new DateTimeOffset(d.ToDateTime(TimeOnly.MinValue), FrenchTime.Paris.GetUtcOffset(d.ToDateTime(TimeOnly.MinValue)))
            : null;
        var result = await Api.PostAsync(
            ApiServices.Gateway,
            $"sharing-rules/{Uri.EscapeDataString(Territory)}",
            new
            {
                inForceFrom = from,
                proposedBy = (ProposedBy ?? "").Split(
                    [',', '\n', ';'],
                    StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries
                ),
                rules = kept.Select(r => new
                {
                    category = r.Category,
                    roles = r.Roles,
                    purpose = r.Purpose,
                    legalBasis = string.IsNullOrWhiteSpace(r.LegalBasis) ? null : r.LegalBasis,
                    endsOn = DateOnly.TryParse(r.EndsOn, out var e) ? e : (DateOnly?)null,
                }),
            },
            ct
        );
        if (result.Status == HttpStatusCode.Unauthorized)
            return await ReconnectAsync();
        if (result.Ok)
        {
            Success = T["Rules.Adopted", (int?)result.Body?["version"], Territory];
            return Redirect($"/console/regles?territoire={Territory}");
        }
        Refused(result);
        // The API names rows by their place in what was sent: show the messages on the rows kept.
        Rules = kept;
        Rules.AddRange(Enumerable.Range(0, BlankRows).Select(_ => new RuleRow()));
        var shown = await ShowAsync(ct);
        Response.StatusCode = (int)result.Status;
        return shown ?? Page();
    }

    private string Chosen(string? territoire) =>
        territoire is not null && Territories.Contains(territoire) ? territoire : Territories.FirstOrDefault() ?? "";

    private async Task<IActionResult?> ShowAsync(CancellationToken ct)
    {
        var inForce = await Api.GetAsync(ApiServices.Gateway, $"sharing-rules/{Uri.EscapeDataString(Territory)}", ct);
        if (inForce.Status == HttpStatusCode.Unauthorized)
            return await ReconnectAsync();
        if (inForce.Ok)
            InForce = inForce.Body;
        else if (inForce.Status != HttpStatusCode.NotFound && Message is null)
            Refused(inForce, keepStatus: true);
        var history = await Api.GetAsync(ApiServices.Gateway, $"sharing-rules/{Uri.EscapeDataString(Territory)}/history", ct);
        History.AddRange(history.Items.OfType<JsonNode>().OrderByDescending(v => (int?)v["version"]));
        return null;
    }

    /// <summary>The purposes for which the version in force grants a category to a role.</summary>
    public IReadOnlyList<string> Grants(string category, string role) =>
        (InForce?["rules"]?.AsArray() ?? [])
            .OfType<JsonNode>()
            .Where(r => (string?)r["category"] == category && (r["roles"]?.AsArray() ?? []).Any(x => (string?)x == role))
            .Select(r => (string?)r["purpose"] ?? "")
            .Distinct()
            .ToList();
}

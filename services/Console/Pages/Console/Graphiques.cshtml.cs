using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Coordination.WebConsole.Api;
using Coordination.WebConsole.Charts;
using Microsoft.AspNetCore.Mvc;

namespace Coordination.WebConsole.Pages.Console;

/// <summary>Charts of the last twelve months: controls done and missed, incidents, and reports per jurisdiction.</summary>
public sealed class GraphiquesModel : ConsolePageModel
{
    public const string Done = "#18753c",
        Missed = "#b60000",
        Incidents = "#8d4a00",
        Reports = "#000091";

    public List<string> Months { get; } = [];
    public List<int> ControlsDone { get; } = [];
    public List<int> ControlsMissed { get; } = [];
    public List<int> IncidentsPerMonth { get; } = [];
    public List<(string Jurisdiction, int Count)> ReportsPerJurisdiction { get; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var cases = await Api.GetAsync(ApiServices.Supervision, "supervision/cases", ct);
        if (cases.Status == HttpStatusCode.Unauthorized)
            return await ReconnectAsync();
        if (!cases.Ok)
            Refused(cases, keepStatus: true);
        var reports = await Api.GetAsync(ApiServices.CourtReporting, "court-reporting/reports", ct);
        if (!reports.Ok && Message is null)
            Refused(reports, keepStatus: true);

        var first = new DateOnly(Today.Year, Today.Month, 1).AddMonths(-11);
        var keys = Enumerable.Range(0, 12).Select(i => first.AddMonths(i)).ToList();
        Months.AddRange(keys.Select(m => m.ToString("MMM yy", Texts.French)));
        var controls = cases.Items.OfType<JsonNode>().SelectMany(c => (c["controls"]?.AsArray() ?? []).OfType<JsonNode>()).ToList();
        var incidents = cases.Items.OfType<JsonNode>().SelectMany(c => (c["incidents"]?.AsArray() ?? []).OfType<JsonNode>()).ToList();
        foreach (var month in keys)
        {
            ControlsDone.Add(
                controls.Count(k =>
                    (string?)k["outcome"] is { } o && o is not ("missed" or "postponed") && InMonth((string?)k["controlledOn"], month)
                )
            );
            ControlsMissed.Add(
                controls.Count(k =>
                    (string?)k["outcome"] == "missed" && InMonth((string?)k["controlledOn"] ?? (string?)k["scheduledFor"], month)
                )
            );
            IncidentsPerMonth.Add(
                incidents.Count(i =>
                    DateTimeOffset.TryParse((string?)i["occurredAt"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
                    && InMonth(DateOnly.FromDateTime(FrenchTime.InParis(at)), month)
                )
            );
        }
        foreach (var j in await LoadJurisdictionsAsync(ct))
            ReportsPerJurisdiction.Add(
                ((string?)j["name"] ?? "", reports.Items.Count(r => (string?)r?["jurisdiction"] == (string?)j["id"]))
            );
        return Page();
    }

    private static bool InMonth(string? date, DateOnly month) =>
        DateOnly.TryParse(date, CultureInfo.InvariantCulture, out var d) && InMonth(d, month);

    private static bool InMonth(DateOnly d, DateOnly month) => d.Year == month.Year && d.Month == month.Month;
}

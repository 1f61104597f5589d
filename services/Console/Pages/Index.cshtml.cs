using System.Net;
using System.Text.Json.Nodes;
using Coordination.ServiceDefaults.Security;
using Coordination.WebConsole.Api;
using Microsoft.AspNetCore.Mvc;

namespace Coordination.WebConsole.Pages;

/// <summary>One territory's four duties at a glance, and the sharing rules in force there.</summary>
public sealed record TerritoryDashboard(
    string Territory,
    JsonNode? Compliance,
    int ReviewsUnderWay,
    int OpinionsOverdue,
    int OpenCases,
    int ControlsDue,
    int ControlsMissed,
    IReadOnlyList<(JurisdictionLine Jurisdiction, JsonNode? Last, DateOnly NextDue)> Reports,
    JsonNode? RulesInForce,
    IReadOnlyList<string> Refusals
);

/// <summary>A jurisdiction as the dashboard names it.</summary>
public sealed record JurisdictionLine(string Id, string Name);

public sealed class IndexModel(IConfiguration configuration) : ConsolePageModel
{
    public List<TerritoryDashboard> Dashboards { get; } = [];
    public int Year { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (IsAuditor)
            return Redirect("/console/audit");
        Year = Today.Year;
        var compliance = await Api.GetAsync(ApiServices.Briefings, $"briefings/compliance/{Year}", ct);
        if (compliance.Status == HttpStatusCode.Unauthorized)
            return await ReconnectAsync();
        var reviews = await Api.GetAsync(ApiServices.Opinions, "opinions/reviews", ct);
        var cases = await Api.GetAsync(ApiServices.Supervision, "supervision/cases", ct);
        var reports = await Api.GetAsync(ApiServices.CourtReporting, "court-reporting/reports", ct);
        var periodMonths = configuration.GetValue("CourtReporting:PeriodMonths", 1);
        var jurisdictions = await LoadJurisdictionsAsync(ct);

        foreach (var territory in Territories)
        {
            var refusals = new List<string>();
            foreach (
                var (name, result) in new[]
                {
                    ("Nav.Briefings", compliance),
                    ("Nav.Reviews", reviews),
                    ("Nav.Supervision", cases),
                    ("Nav.Reports", reports),
                }
            )
                if (!result.Ok)
                    refusals.Add(
                        $"{T[name]} : {(result.Status == HttpStatusCode.Forbidden ? T["Problem.Forbidden"] : T["Problem.Unavailable"])}"
                    );

            var mine = (JsonArray items) => items.Where(i => (string?)i?["territory"] == territory).ToList();
            var territoryReviews = mine(reviews.Items);
            var underWay = territoryReviews.Count(r => (string?)r!["status"] is not ("adopted" or "transmitted"));
            var overdue = territoryReviews.Count(r =>
                (bool?)r!["overdue"] == true && (string?)r["status"] is not ("adopted" or "transmitted")
            );

            var open = mine(cases.Items).Where(c => (string?)c!["status"] == "open").ToList();
            var controls = open.SelectMany(c => c!["controls"]?.AsArray() ?? []).ToList();
            var today = Today.ToString("yyyy-MM-dd");
            var due = controls.Count(k => k?["outcome"] is null && string.CompareOrdinal((string?)k?["scheduledFor"] ?? "", today) <= 0);
            var missed = controls.Count(k => (string?)k?["outcome"] == "missed");

            var lines = jurisdictions
                .Where(j => (string?)j["territory"] == territory)
                .Select(j =>
                {
                    var line = new JurisdictionLine((string?)j["id"] ?? "", (string?)j["name"] ?? "");
                    var last = reports.Items.Where(r => (string?)r!["jurisdiction"] == line.Id).MaxBy(r => (int?)r!["number"] ?? 0);
                    return (line, last, NextReportDue(last, periodMonths));
                })
                .ToList();

            var rules = await Api.GetAsync(ApiServices.Gateway, $"sharing-rules/{territory}", ct);
            if (!rules.Ok && rules.Status != HttpStatusCode.NotFound)
                refusals.Add($"{T["Nav.Rules"]} : {T["Problem.Forbidden"]}");

            Dashboards.Add(
                new TerritoryDashboard(
                    territory,
                    compliance.Items.FirstOrDefault(c => (string?)c!["territory"] == territory),
                    underWay,
                    overdue,
                    open.Count,
                    due,
                    missed,
                    lines,
                    rules.Ok ? rules.Body : null,
                    refusals
                )
            );
        }
        return Page();
    }

    /// <summary>
    /// The last day of the period after the last report (a periodic report closes each period of
    /// <c>CourtReporting:PeriodMonths</c> calendar months; an early one shortens only its own).
    /// </summary>
    private DateOnly NextReportDue(JsonNode? last, int periodMonths)
    {
        var from = last?["periodEnd"] is { } end && DateOnly.TryParse((string?)end, out var e) ? e.AddDays(1) : Today;
        var start = new DateOnly(from.Year, from.Month, 1);
        var monthIndex = (start.Month - 1) / periodMonths * periodMonths;
        return new DateOnly(start.Year, 1, 1).AddMonths(monthIndex + periodMonths).AddDays(-1);
    }

    public string StatusClass(string? status) =>
        status switch
        {
            "met" => "etat-ok",
            "due" => "etat-attention",
            "overdue" => "etat-alerte",
            _ => "etat-neutre",
        };
}

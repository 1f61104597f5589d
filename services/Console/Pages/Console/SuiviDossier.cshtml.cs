using System.Net;
using System.Text.Json.Nodes;
using Coordination.WebConsole.Api;
using Microsoft.AspNetCore.Mvc;

namespace Coordination.WebConsole.Pages.Console;

public sealed record TimelineEvent(string SortKey, string When, string What, string Css);

/// <summary>
/// One person's case, by PersonRef: assign a partner, plan a control, end the case, and the
/// timeline of controls and incidents. A case outside the user's territories is the API's 403.
/// </summary>
public sealed class SuiviDossierModel : ConsolePageModel
{
    public static readonly string[] EndReasons = ["end-of-measure", "transferred-to-another-territory", "death"];

    public string Person { get; private set; } = "";
    public JsonNode? Case { get; private set; }
    public List<JsonNode> Earlier { get; } = [];
    public List<JsonNode> Partners { get; } = [];
    public List<TimelineEvent> Timeline { get; } = [];

    [BindProperty]
    public string? Partner { get; set; }

    [BindProperty]
    public string? Role { get; set; }

    [BindProperty]
    public string? ControlPartner { get; set; }

    [BindProperty]
    public string? ScheduledFor { get; set; }

    [BindProperty]
    public string? Reason { get; set; }

    public Task<IActionResult> OnGetAsync(string person, CancellationToken ct) => ShowAsync(person, ct);

    public Task<IActionResult> OnPostAssignAsync(string person, CancellationToken ct) =>
        ChangeAsync(
            person,
            Api.PostAsync(
                ApiServices.Supervision,
                $"supervision/cases/{Uri.EscapeDataString(person)}/partners",
                new { partner = Blank(Partner), role = Blank(Role) },
                ct
            ),
            "Case.Assigned",
            ct
        );

    public Task<IActionResult> OnPostControlAsync(string person, CancellationToken ct) =>
        ChangeAsync(
            person,
            Api.PostAsync(
                ApiServices.Supervision,
                $"supervision/cases/{Uri.EscapeDataString(person)}/controls",
                new { partner = Blank(ControlPartner), scheduledFor = DateOnly.TryParse(ScheduledFor, out var d) ? d : (DateOnly?)null },
                ct
            ),
            "Case.Planned",
            ct
        );

    public Task<IActionResult> OnPostEndAsync(string person, CancellationToken ct) =>
        ChangeAsync(
            person,
            Api.PostAsync(
                ApiServices.Supervision,
                $"supervision/cases/{Uri.EscapeDataString(person)}/end",
                new { reason = Blank(Reason) },
                ct
            ),
            "Case.Ended",
            ct
        );

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;

    private async Task<IActionResult> ChangeAsync(string person, Task<ApiResult> call, string done, CancellationToken ct)
    {
        var result = await call;
        if (result.Status == HttpStatusCode.Unauthorized)
            return await ReconnectAsync();
        if (result.Ok)
        {
            Success = T[done];
            return Redirect($"/console/suivi/{Uri.EscapeDataString(person)}");
        }
        Refused(result);
        if (result.Status == HttpStatusCode.Forbidden)
        {
            Response.StatusCode = 403;
            Person = person;
            return Page();
        }
        var shown = await ShowAsync(person, ct);
        Response.StatusCode = (int)result.Status;
        return shown;
    }

    private async Task<IActionResult> ShowAsync(string person, CancellationToken ct)
    {
        Person = person;
        var found = await Api.GetAsync(ApiServices.Supervision, $"supervision/cases/{Uri.EscapeDataString(person)}", ct);
        if (found.Status == HttpStatusCode.Unauthorized)
            return await ReconnectAsync();
        if (!found.Ok)
        {
            Refused(found, keepStatus: true);
            return Page();
        }
        var cases = found.Items.OfType<JsonNode>().ToList();
        await LoadJurisdictionsAsync(ct);
        Case = cases.FirstOrDefault();
        Earlier.AddRange(cases.Skip(1));
        var partners = await Api.GetAsync(ApiServices.Supervision, "supervision/partners", ct);
        Partners.AddRange(partners.Items.OfType<JsonNode>().Where(p => (string?)p["territory"] == (string?)Case?["territory"]));
        BuildTimeline();
        return Page();
    }

    private void BuildTimeline()
    {
        if (Case is null)
            return;
        Add((string?)Case["openedAt"], true, T["Case.EventOpened"], "etat-neutre");
        foreach (var a in (Case["partners"]?.AsArray() ?? []).OfType<JsonNode>())
            Add(
                (string?)a["assignedAt"],
                true,
                T["Case.EventAssigned", (string?)a["partner"], T.Word("PartnerRole", (string?)a["role"])],
                "etat-neutre"
            );
        foreach (var k in (Case["controls"]?.AsArray() ?? []).OfType<JsonNode>())
        {
            var outcome = (string?)k["outcome"];
            if (outcome is null)
                Add((string?)k["scheduledFor"], false, T["Case.EventPlanned", (string?)k["partner"]], "etat-attention");
            else
                Add(
                    (string?)k["controlledOn"] ?? (string?)k["scheduledFor"],
                    false,
                    T["Case.EventControl", (string?)k["partner"], T.Word("Outcome", outcome)],
                    outcome == "missed" || outcome == "non-compliant" ? "etat-alerte" : "etat-ok"
                );
        }
        foreach (var i in (Case["incidents"]?.AsArray() ?? []).OfType<JsonNode>())
            Add(
                (string?)i["occurredAt"],
                true,
                T[
                    "Case.EventIncident",
                    T.Word("IncidentKind", (string?)i["kind"]),
                    T.Word("Severity", (string?)i["severity"]),
                    (string?)i["partner"]
                ],
                (string?)i["severity"] == "serious" ? "etat-alerte" : "etat-attention"
            );
        if (Case["endedAt"] is { } ended)
            Add((string?)ended, true, T["Case.EventEnded", T.Word("EndReason", (string?)Case["endReason"])], "etat-neutre");
        Timeline.Sort((a, b) => string.CompareOrdinal(a.SortKey, b.SortKey));
    }

    private void Add(string? when, bool instant, string what, string css)
    {
        if (when is null)
            return;
        var sortKey = instant && DateTimeOffset.TryParse(when, out var t) ? FrenchTime.InParis(t).ToString("yyyy-MM-ddTHH:mm") : when;
        Timeline.Add(new TimelineEvent(sortKey, instant ? FrenchTime.DateTime(when) : FrenchTime.Date(when), what, css));
    }
}

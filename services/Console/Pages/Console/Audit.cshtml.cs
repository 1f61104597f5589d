using System.Net;
using System.Text.Json.Nodes;
using Coordination.WebConsole.Api;
using Microsoft.AspNetCore.Mvc;

namespace Coordination.WebConsole.Pages.Console;

/// <summary>The gateway's tamper-evident audit log, for auditors: the chain's verification, and entries filtered.</summary>
public sealed class AuditModel : ConsolePageModel
{
    public static readonly string[] Kinds =
    [
        "ingress-accepted",
        "ingress-rejected",
        "released",
        "denied",
        "rules-adopted",
        "key-registered",
        "key-refused",
    ];

    public JsonNode? Verification { get; private set; }
    public List<JsonNode> Entries { get; } = [];

    [BindProperty(SupportsGet = true)]
    public string? Kind { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Source { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? From { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? To { get; set; }

    [BindProperty(SupportsGet = true)]
    public long? After { get; set; }
    public const int PageSize = 50;

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var verify = await Api.GetAsync(ApiServices.Gateway, "audit/verify", ct);
        if (verify.Status == HttpStatusCode.Unauthorized)
            return await ReconnectAsync();
        if (!verify.Ok)
        {
            Refused(verify, keepStatus: true);
            return Page();
        }
        Verification = verify.Body;
        var query = new List<string> { $"limit={PageSize}" };
        if (After is { } after)
            query.Add($"after={after}");
        if (!string.IsNullOrWhiteSpace(Kind))
            query.Add($"kind={Uri.EscapeDataString(Kind)}");
        if (!string.IsNullOrWhiteSpace(Source))
            query.Add($"source={Uri.EscapeDataString(Source.Trim())}");
        if (ParisMidnight(From) is { } from)
            query.Add($"from={Uri.EscapeDataString(from.ToString("O"))}");
        if (ParisMidnight(To) is { } to)
            query.Add($"to={Uri.EscapeDataString(to.AddDays(1).ToString("O"))}");
        var entries = await Api.GetAsync(ApiServices.Gateway, "audit?" + string.Join("&", query), ct);
        if (!entries.Ok)
            Refused(entries);
        Entries.AddRange(entries.Items.OfType<JsonNode>());
        return Page();
    }

    /// <summary>The start of a day typed as a date, in Paris time (what an auditor means by "from 3 March").</summary>
    private static DateTimeOffset? ParisMidnight(string? date) =>
        DateOnly.TryParse(date, System.Globalization.CultureInfo.InvariantCulture, out var d)
            ? new DateTimeOffset(d.ToDateTime(TimeOnly.MinValue), FrenchTime.Paris.GetUtcOffset(d.ToDateTime(TimeOnly.MinValue)))
            : null;

    public string NextPage(long after)
    {
        var parts = new List<string> { $"after={after}" };
        if (!string.IsNullOrWhiteSpace(Kind))
            parts.Add($"kind={Uri.EscapeDataString(Kind)}");
        if (!string.IsNullOrWhiteSpace(Source))
            parts.Add($"source={Uri.EscapeDataString(Source)}");
        if (!string.IsNullOrWhiteSpace(From))
            parts.Add($"from={Uri.EscapeDataString(From)}");
        if (!string.IsNullOrWhiteSpace(To))
            parts.Add($"to={Uri.EscapeDataString(To)}");
        return "/console/audit?" + string.Join("&", parts);
    }
}

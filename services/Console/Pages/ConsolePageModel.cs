using System.Net;
using System.Text.Encodings.Web;
using Coordination.ServiceDefaults.Security;
using Coordination.WebConsole.Api;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Coordination.WebConsole.Pages;

/// <summary>
/// What every console page shares: the API client, the texts, and one way of showing an API's
/// refusal (its status kept, its reason in French, its field messages beside the fields).
/// </summary>
public abstract class ConsolePageModel : PageModel
{
    protected CoordinationApi Api => HttpContext.RequestServices.GetRequiredService<CoordinationApi>();
    public Texts T => HttpContext.RequestServices.GetRequiredService<Texts>();
    protected TimeProvider Clock => HttpContext.RequestServices.GetRequiredService<TimeProvider>();

    /// <summary>An error or a refusal, shown at the top of the page (role="alert").</summary>
    public string? Message { get; set; }

    /// <summary>The API's own words for <see cref="Message"/>, in English, shown beside the French text.</summary>
    public string? MessageDetail { get; set; }

    /// <summary>A confirmation (role="status").</summary>
    [TempData]
    public string? Success { get; set; }
    public Dictionary<string, string> FieldErrors { get; } = new(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyList<string> Territories => User.TerritoriesOf().Select(t => t.Value).Order(StringComparer.Ordinal).ToList();
    public bool IsSecretariat => User.KindOf() == PrincipalKind.Operator && User.RoleOf() == PrincipalRole.CdpdSecretariat;
    public bool IsOperator => User.KindOf() == PrincipalKind.Operator;
    public bool IsAuditor => User.KindOf() == PrincipalKind.Auditor;
    public DateOnly Today => FrenchTime.Today(Clock);

    /// <summary>
    /// The jurisdictions of the user's territories as CourtReporting schedules them: the directory's (ADR 16),
    /// once <see cref="LoadJurisdictionsAsync"/> has run. Empty when CourtReporting does not answer.
    /// </summary>
    public IReadOnlyList<System.Text.Json.Nodes.JsonNode> KnownJurisdictions { get; private set; } = [];

    protected async Task<IReadOnlyList<System.Text.Json.Nodes.JsonNode>> LoadJurisdictionsAsync(CancellationToken ct)
    {
        var result = await Api.GetAsync(ApiServices.CourtReporting, "court-reporting/jurisdictions", ct);
        KnownJurisdictions = result.Ok ? result.Items.OfType<System.Text.Json.Nodes.JsonNode>().ToList() : [];
        return KnownJurisdictions;
    }

    /// <summary>A jurisdiction's name for display, or its id when it is not among <see cref="KnownJurisdictions"/>.</summary>
    public string JurisdictionName(string? id) =>
        KnownJurisdictions.FirstOrDefault(j => (string?)j["id"] == id)?["name"] is { } name ? (string?)name ?? id ?? "" : id ?? "";

    /// <summary>
    /// Records an API's refusal for display. <paramref name="keepStatus"/>: a page that shows only
    /// what was refused answers with the API's status (403 stays 403), so nothing looks like success.
    /// </summary>
    protected void Refused(ApiResult result, bool keepStatus = false)
    {
        var problem = result.Problem ?? ApiProblem.Of(result.Status, result.Body);
        Message = result.Status switch
        {
            HttpStatusCode.Forbidden => T["Problem.Forbidden"],
            HttpStatusCode.Unauthorized => T["Problem.Unauthorized"],
            HttpStatusCode.NotFound => problem.ReasonCode is { } code && Texts.Has($"Problem.{code}")
                ? T[$"Problem.{code}"]
                : T["Problem.NotFound"],
            HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity when problem.Errors.Count > 0 => T["Problem.Validation"],
            HttpStatusCode.Conflict => T["Problem.Conflict"],
            >= HttpStatusCode.InternalServerError => T["Problem.Unavailable"],
            _ => T["Problem.Other"],
        };
        MessageDetail =
            result.Status is HttpStatusCode.Forbidden
                ? null
                : string.Join(" ", new[] { problem.Title, problem.Detail }.Where(s => !string.IsNullOrWhiteSpace(s)));
        foreach (var (field, messages) in problem.Errors)
        {
            var french =
                problem.FieldReasonCodes.TryGetValue(field, out var code) && Texts.Has($"Field.{code}")
                    ? T[$"Field.{code}"]
                    : T["Field.invalid-field"];
            FieldErrors[field] = $"{french} {string.Join(" ", messages)}";
        }
        if (keepStatus)
            Response.StatusCode = (int)result.Status;
    }

    /// <summary>The token expired or was revoked: sign out and ask to sign in again, rather than show empty pages.</summary>
    protected async Task<IActionResult> ReconnectAsync()
    {
        await HttpContext.SignOutAsync(ConsoleAuthentication.CookieScheme);
        return Redirect("/console/connexion?expiree=1");
    }

    /// <summary>The message under a field, tied to it by aria-describedby (<see cref="Described"/>).</summary>
    public IHtmlContent FieldError(string field) =>
        FieldErrors.TryGetValue(field, out var message)
            ? new HtmlString($"<p class=\"erreur-champ\" id=\"erreur-{Id(field)}\">{HtmlEncoder.Default.Encode(message)}</p>")
            : HtmlString.Empty;

    /// <summary>aria attributes of a field with an error: invalid, described by its message.</summary>
    public IHtmlContent Described(string field) =>
        FieldErrors.ContainsKey(field)
            ? new HtmlString($"aria-invalid=\"true\" aria-describedby=\"erreur-{Id(field)}\"")
            : HtmlString.Empty;

    public static string Id(string field) => new(field.Select(c => char.IsLetterOrDigit(c) ? c : '-').ToArray());
}

using System.Security.Claims;
using System.Text.Json.Serialization;
using Coordination.Briefings.Application;
using Coordination.Briefings.Domain;
using Coordination.Contracts;
using Coordination.Contracts.Briefings;
using Coordination.Contracts.Values;
using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Rules;
using Coordination.ServiceDefaults.Security;

namespace Coordination.Briefings.Api;

/// <summary>What an operator or the prosecutor's office types: every field optional here, so that each missing one is named.</summary>
public sealed record RecordBriefingRequest(
    string? Territory,
    string? PrioritySecurityZone,
    string? BriefedOn,
    string? ProsecutorOffice,
    string[]? PriorityThemes,
    string? Summary
);

public sealed record BriefingView(
    Guid Id,
    string Territory,
    string? PrioritySecurityZone,
    DateOnly BriefedOn,
    string ProsecutorOffice,
    IReadOnlyList<PenalPolicyTheme> PriorityThemes,
    string Summary,
    DateTimeOffset RecordedAt
)
{
    public static BriefingView Of(PenalPolicyBriefing b) =>
        new(b.Id, b.Territory.Value, b.PrioritySecurityZone, b.BriefedOn, b.ProsecutorOffice, b.PriorityThemes, b.Summary, b.RecordedAt);
}

public sealed record ComplianceView(
    string Territory,
    int Year,
    [property: JsonConverter(typeof(KebabCaseEnumConverter<ComplianceStatus>))] ComplianceStatus Status,
    bool Met,
    int Briefings,
    DateOnly? LastBriefedOn,
    DateTimeOffset YearEndsAt
)
{
    public static ComplianceView Of(YearCompliance c) =>
        new(c.Territory.Value, c.Year, c.Status, c.Status == ComplianceStatus.Met, c.Briefings, c.LastBriefedOn, c.YearEndsAt);
}

public static class BriefingsApi
{
    public static void Map(IEndpointRouteBuilder app)
    {
        // Briefings are penal policy, not personal data: no access-log entry, but territory-scoped.
        var briefings = app.MapGroup("/briefings").WithTags("Briefings").RequireAuthorization(CoordinationPolicies.TerritoryOperator);
        briefings.MapPost("/", RecordAsync);
        briefings.MapGet("/", ListAsync);
        briefings.MapGet("/{id:guid}", GetAsync);
        briefings.MapGet("/compliance/{year:int}", ComplianceOfServedTerritoriesAsync);
        briefings.MapGet("/compliance/{year:int}/{territory}", ComplianceAsync);
    }

    private static async Task<IResult> RecordAsync(
        HttpRequest request,
        ClaimsPrincipal user,
        RecordBriefingHandler handler,
        CancellationToken cancellationToken
    )
    {
        var (body, problem) = await request.ReadJsonBodyAsync<RecordBriefingRequest>(cancellationToken);
        if (problem is not null)
            return problem;
        if (TerritoryCode.TryParse(body!.Territory, out var claimed) && !user.ActsFor(claimed))
            return Problems.Forbidden();

        var errors = new List<RuleViolation>();
        var command = ToCommand(body!, errors);
        if (command is not null)
        {
            var outcome = await handler.RecordAsync(command, cancellationToken);
            if (outcome.Briefing is not null)
                return Results.Created($"/briefings/{outcome.Briefing.Id}", BriefingView.Of(outcome.Briefing));
            errors.AddRange(outcome.Violations);
        }
        return errors.ToProblem("The briefing was not recorded.");
    }

    /// <summary>Checks what typing can check; the domain rules check the rest.</summary>
    private static RecordPenalPolicyBriefing? ToCommand(RecordBriefingRequest body, List<RuleViolation> errors)
    {
        TerritoryCode territory = default;
        if (string.IsNullOrWhiteSpace(body.Territory))
            errors.Add(new(ReasonCodes.MissingField, "territory", "The territory is required."));
        else if (!TerritoryCode.TryParse(body.Territory, out territory))
            errors.Add(
                new(
                    ReasonCodes.UnknownTerritory,
                    "territory",
                    "The territory must be an INSEE département code (01–95, 2A, 2B, 971–974, 976)."
                )
            );

        DateOnly briefedOn = default;
        if (string.IsNullOrWhiteSpace(body.BriefedOn))
            errors.Add(new(ReasonCodes.MissingField, "briefedOn", "The briefing date is required."));
        else if (!DateOnly.TryParseExact(body.BriefedOn, "yyyy-MM-dd", out briefedOn))
            errors.Add(new(ReasonCodes.InvalidField, "briefedOn", "The briefing date is written yyyy-MM-dd."));

        var themes = new List<PenalPolicyTheme>();
        foreach (var word in body.PriorityThemes ?? [])
        {
            if (ClosedList<PenalPolicyTheme>.TryParse(word, out var theme))
                themes.Add(theme);
            else
                errors.Add(
                    new(
                        ReasonCodes.InvalidField,
                        "priorityThemes",
                        $"Priority themes come from the closed list: {string.Join(", ", ClosedList<PenalPolicyTheme>.Words.Order())}."
                    )
                );
        }

        if (errors.Count > 0)
        {
            // Report the missing ones too, so one round trip names everything to fix.
            if (string.IsNullOrWhiteSpace(body.ProsecutorOffice))
                errors.Add(new(ReasonCodes.MissingField, "prosecutorOffice", "The prosecutor's office is required."));
            if (string.IsNullOrWhiteSpace(body.Summary))
                errors.Add(new(ReasonCodes.MissingField, "summary", "A short summary is required."));
            return null;
        }

        return new RecordPenalPolicyBriefing
        {
            Territory = territory,
            PrioritySecurityZone = body.PrioritySecurityZone,
            BriefedOn = briefedOn,
            ProsecutorOffice = body.ProsecutorOffice ?? "",
            PriorityThemes = themes,
            Summary = body.Summary ?? "",
        };
    }

    private static async Task<IResult> GetAsync(
        Guid id,
        ClaimsPrincipal user,
        BriefingQueries briefings,
        CancellationToken cancellationToken
    )
    {
        var briefing = await briefings.FindAsync(id, cancellationToken);
        // Missing and elsewhere answer alike: a caller learns nothing of other territories' records.
        return briefing is null || !user.ActsFor(briefing.Territory) ? Problems.Forbidden() : Results.Ok(BriefingView.Of(briefing));
    }

    private static async Task<IResult> ListAsync(
        string? territory,
        int? year,
        ClaimsPrincipal user,
        BriefingQueries briefings,
        CancellationToken cancellationToken
    )
    {
        IReadOnlyCollection<TerritoryCode> territories;
        if (territory is not null)
        {
            if (!TerritoryCode.TryParse(territory, out var code))
                return UnknownTerritory();
            if (!user.ActsFor(code))
                return Problems.Forbidden();
            territories = [code];
        }
        else
        {
            territories = user.TerritoriesOf().ToList();
        }
        var list = await briefings.OfTerritoriesAsync(territories, year, cancellationToken);
        return Results.Ok(list.Select(BriefingView.Of));
    }

    private static async Task<IResult> ComplianceAsync(
        int year,
        string territory,
        ClaimsPrincipal user,
        BriefingQueries briefings,
        CancellationToken cancellationToken
    )
    {
        if (!TerritoryCode.TryParse(territory, out var code))
            return UnknownTerritory();
        if (!user.ActsFor(code))
            return Problems.Forbidden();
        return Results.Ok(ComplianceView.Of(await briefings.ComplianceAsync(code, year, cancellationToken)));
    }

    private static async Task<IResult> ComplianceOfServedTerritoriesAsync(
        int year,
        ClaimsPrincipal user,
        BriefingQueries briefings,
        CancellationToken cancellationToken
    )
    {
        var views = new List<ComplianceView>();
        foreach (var territory in briefings.ServedTerritories().Where(user.ActsFor))
            views.Add(ComplianceView.Of(await briefings.ComplianceAsync(territory, year, cancellationToken)));
        return Results.Ok(views);
    }

    private static IResult UnknownTerritory() =>
        new RuleViolation(ReasonCodes.UnknownTerritory, "territory", "The territory must be an INSEE département code.").ToProblem(
            "Unknown territory."
        );
}

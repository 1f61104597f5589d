using Coordination.ServiceDefaults.Territories;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using Coordination.Briefings.Domain;
using Coordination.Briefings.Persistence;
using Coordination.Contracts;
using Coordination.Contracts.Briefings;
using Coordination.Contracts.Values;
using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Security;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Coordination.Briefings.Api;

/// <summary>What an operator or the prosecutor's office types: every field optional here, so that each missing one is named.</summary>
public sealed record RecordBriefingRequest(
    string? Territory,
    string? PrioritySecurityZone,
    string? BriefedOn,
    string? ProsecutorOffice,
    string[]? PriorityThemes,
    string? Summary);

public sealed record BriefingView(
    Guid Id,
    string Territory,
    string? PrioritySecurityZone,
    DateOnly BriefedOn,
    string ProsecutorOffice,
    IReadOnlyList<PenalPolicyTheme> PriorityThemes,
    string Summary,
    DateTimeOffset RecordedAt)
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
    DateTimeOffset YearEndsAt);

public static class BriefingsApi
{
    public static void Map(IEndpointRouteBuilder app)
    {
        // Briefings are penal policy, not personal data: no access-log entry, but territory-scoped.
        var briefings = app.MapGroup("/briefings").WithTags("Briefings")
            .RequireAuthorization(CoordinationPolicies.TerritoryOperator);
        briefings.MapPost("/", RecordAsync);
        briefings.MapGet("/", ListAsync);
        briefings.MapGet("/{id:guid}", GetAsync);
        briefings.MapGet("/compliance/{year:int}", ComplianceOfServedTerritoriesAsync);
        briefings.MapGet("/compliance/{year:int}/{territory}", ComplianceAsync);
    }

    private static async Task<IResult> RecordAsync(HttpRequest request, ClaimsPrincipal user, BriefingsDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (body, problem) = await request.ReadJsonBodyAsync<RecordBriefingRequest>(cancellationToken);
        if (problem is not null) return problem;
        if (TerritoryCode.TryParse(body!.Territory, out var claimed) && !user.ActsFor(claimed)) return Problems.Forbidden();

        var errors = new List<RuleViolation>();
        var command = ToCommand(body!, errors);
        if (command is not null)
        {
            var outcome = PenalPolicyBriefing.Record(command, NewId.NextGuid(), clock.GetUtcNow());
            if (outcome.Briefing is not null)
            {
                db.Briefings.Add(outcome.Briefing);
                db.PublishOnCommit(outcome.Briefing.Recorded());
                await db.SaveChangesAsync(cancellationToken);
                return Results.Created($"/briefings/{outcome.Briefing.Id}", BriefingView.Of(outcome.Briefing));
            }
            errors.AddRange(outcome.Violations);
        }
        return Problems.Validation("The briefing was not recorded.",
            errors.Select(e => (e.Field, e.ReasonCode, e.Message)));
    }

    /// <summary>Checks what typing can check; the domain rules check the rest.</summary>
    private static RecordPenalPolicyBriefing? ToCommand(RecordBriefingRequest body, List<RuleViolation> errors)
    {
        TerritoryCode territory = default;
        if (string.IsNullOrWhiteSpace(body.Territory))
            errors.Add(new("territory", ReasonCodes.MissingField, "The territory is required."));
        else if (!TerritoryCode.TryParse(body.Territory, out territory))
            errors.Add(new("territory", ReasonCodes.UnknownTerritory, "The territory must be an INSEE département code (01–95, 2A, 2B, 971–974, 976)."));

        DateOnly briefedOn = default;
        if (string.IsNullOrWhiteSpace(body.BriefedOn))
            errors.Add(new("briefedOn", ReasonCodes.MissingField, "The briefing date is required."));
        else if (!DateOnly.TryParseExact(body.BriefedOn, "yyyy-MM-dd", out briefedOn))
            errors.Add(new("briefedOn", ReasonCodes.InvalidField, "The briefing date is written yyyy-MM-dd."));

        var themes = new List<PenalPolicyTheme>();
        foreach (var word in body.PriorityThemes ?? [])
        {
            if (ClosedList<PenalPolicyTheme>.TryParse(word, out var theme)) themes.Add(theme);
            else errors.Add(new("priorityThemes", ReasonCodes.InvalidField,
                $"Priority themes come from the closed list: {string.Join(", ", ClosedList<PenalPolicyTheme>.Words.Order())}."));
        }

        if (errors.Count > 0)
        {
            // Report the missing ones too, so one round trip names everything to fix.
            if (string.IsNullOrWhiteSpace(body.ProsecutorOffice)) errors.Add(new("prosecutorOffice", ReasonCodes.MissingField, "The prosecutor's office is required."));
            if (string.IsNullOrWhiteSpace(body.Summary)) errors.Add(new("summary", ReasonCodes.MissingField, "A short summary is required."));
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

    private static async Task<IResult> GetAsync(Guid id, ClaimsPrincipal user, BriefingsDbContext db, CancellationToken cancellationToken)
    {
        var briefing = await db.Briefings.AsNoTracking().SingleOrDefaultAsync(b => b.Id == id, cancellationToken);
        // Missing and elsewhere answer alike: a caller learns nothing of other territories' records.
        return briefing is null || !user.ActsFor(briefing.Territory)
            ? Problems.Forbidden()
            : Results.Ok(BriefingView.Of(briefing));
    }

    private static async Task<IResult> ListAsync(string? territory, int? year, ClaimsPrincipal user, BriefingsDbContext db, CancellationToken cancellationToken)
    {
        var query = db.Briefings.AsNoTracking();
        if (territory is not null)
        {
            if (!TerritoryCode.TryParse(territory, out var code)) return UnknownTerritory();
            if (!user.ActsFor(code)) return Problems.Forbidden();
            query = query.Where(b => b.Territory == code);
        }
        else
        {
            var mine = user.TerritoriesOf().ToList();
            query = query.Where(b => mine.Contains(b.Territory));
        }
        if (year is not null) query = query.Where(b => b.Year == year);
        var list = await query.OrderBy(b => b.BriefedOn).ToListAsync(cancellationToken);
        return Results.Ok(list.Select(BriefingView.Of));
    }

    private static async Task<IResult> ComplianceAsync(int year, string territory, ClaimsPrincipal user, BriefingsDbContext db, TimeProvider clock, IOptions<BriefingsOptions> options, CancellationToken cancellationToken)
    {
        if (!TerritoryCode.TryParse(territory, out var code)) return UnknownTerritory();
        if (!user.ActsFor(code)) return Problems.Forbidden();
        return Results.Ok(await ComplianceOf(code, year, db, clock, options.Value, cancellationToken));
    }

    private static async Task<IResult> ComplianceOfServedTerritoriesAsync(int year, ClaimsPrincipal user, BriefingsDbContext db, TimeProvider clock, IOptions<BriefingsOptions> options, CancellationToken cancellationToken)
    {
        var views = new List<ComplianceView>();
        foreach (var territory in options.Value.ServedTerritories().Where(user.ActsFor))
            views.Add(await ComplianceOf(territory, year, db, clock, options.Value, cancellationToken));
        return Results.Ok(views);
    }

    private static async Task<ComplianceView> ComplianceOf(TerritoryCode territory, int year, BriefingsDbContext db, TimeProvider clock, BriefingsOptions options, CancellationToken cancellationToken)
    {
        var dates = await db.Briefings.AsNoTracking()
            .Where(b => b.Territory == territory && b.Year == year)
            .Select(b => b.BriefedOn)
            .ToListAsync(cancellationToken);
        var status = AnnualCompliance.Of(territory, year, dates.Count, clock.GetUtcNow(), options.DueLead);
        return new ComplianceView(territory.Value, year, status, status == ComplianceStatus.Met, dates.Count,
            dates.Count == 0 ? null : dates.Max(), TerritoryCalendar.EndOfYear(territory, year));
    }

    private static IResult UnknownTerritory() =>
        Problems.Validation("Unknown territory.", [("territory", ReasonCodes.UnknownTerritory, "The territory must be an INSEE département code.")]);
}

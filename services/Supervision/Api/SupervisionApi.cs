using System.Security.Claims;
using Coordination.Contracts;
using Coordination.Contracts.Supervision;
using Coordination.Contracts.Values;
using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Rules;
using Coordination.ServiceDefaults.Security;
using Coordination.Supervision.Application;
using Coordination.Supervision.Domain;
using Coordination.Supervision.Persistence;

namespace Coordination.Supervision.Api;

public sealed record AssignmentView(string Partner, PartnerRole Role, DateTimeOffset AssignedAt, DateTimeOffset? UnassignedAt);

public sealed record SupportActionView(
    Guid Id,
    SupportActionKind Kind,
    string Partner,
    SupportActionStatus Status,
    DateOnly PlannedOn,
    DateOnly? StartedOn,
    DateOnly? ClosedOn
);

public sealed record RestrictionView(
    CaseRestrictionReason Reason,
    IReadOnlyList<string> Operators,
    DateTimeOffset? RestrictedAt,
    string? RestrictedBy
);

public sealed record ControlView(Guid Id, string Partner, DateOnly? ScheduledFor, DateOnly? ControlledOn, ControlOutcome? Outcome);

public sealed record IncidentView(Guid Id, string Partner, IncidentKind Kind, IncidentSeverity Severity, DateTimeOffset OccurredAt);

/// <summary>What an operator sees of a case: the reference, never an identity.</summary>
public sealed record CaseView(
    Guid Id,
    string Person,
    string Territory,
    string SentenceEnforcementJurisdiction,
    DateOnly ReleaseDate,
    DateOnly MeasureEndsOn,
    IReadOnlyList<DesignationGround> Grounds,
    CaseStatus Status,
    DateTimeOffset OpenedAt,
    DateTimeOffset? EndedAt,
    SupervisionEndReason? EndReason,
    DateTimeOffset? PurgeDueAt,
    int ConductReports,
    IReadOnlyList<AssignmentView> Partners,
    IReadOnlyList<ControlView> Controls,
    IReadOnlyList<IncidentView> Incidents,
    IReadOnlyList<SupportActionView> SupportActions,
    RestrictionView? Restriction
)
{
    public static CaseView Of(SupervisionCase c) =>
        new(
            c.Id,
            c.Person.Value,
            c.Territory.Value,
            c.SentenceEnforcementJurisdiction,
            c.ReleaseDate,
            c.MeasureEndsOn,
            c.Grounds,
            c.Status,
            c.OpenedAt,
            c.EndedAt,
            c.EndReason,
            c.PurgeDueAt,
            c.ConductReports.Count,
            c.Assignments.OrderBy(a => a.AssignedAt)
                .Select(a => new AssignmentView(a.Partner, a.Role, a.AssignedAt, a.UnassignedAt))
                .ToList(),
            c.Controls.OrderBy(k => k.ScheduledFor ?? k.ControlledOn)
                .Select(k => new ControlView(k.Id, k.Partner, k.ScheduledFor, k.ControlledOn, k.Outcome))
                .ToList(),
            c.Incidents.OrderBy(i => i.OccurredAt)
                .Select(i => new IncidentView(i.Id, i.Partner, i.Kind, i.Severity, i.OccurredAt))
                .ToList(),
            c.SupportActions.OrderBy(a => a.PlannedOn)
                .Select(a => new SupportActionView(a.Id, a.Kind, a.Partner, a.Status, a.PlannedOn, a.StartedOn, a.ClosedOn))
                .ToList(),
            c.Restriction is { } reason ? new RestrictionView(reason, c.RestrictedTo, c.RestrictedAt, c.RestrictedBy) : null
        );
}

public sealed record PartnerView(string Id, string Territory, PartnerRole Role, string Name, DateTimeOffset RegisteredAt);

public sealed record AssignPartnerRequest(string? Partner, string? Role);

public sealed record ScheduleControlRequest(string? Partner, DateOnly? ScheduledFor, Guid? ControlId);

public sealed record EndCaseRequest(string? Reason);

public sealed record RestrictCaseRequest(string? Reason, string[]? Operators);

public sealed record PlanSupportActionRequest(string? Kind, string? Partner, DateOnly? PlannedOn, Guid? ActionId);

public static class SupervisionApi
{
    private const string Purpose = "community-supervision-follow-up";

    public static void Map(IEndpointRouteBuilder app)
    {
        var cases = app.MapGroup("/supervision/cases").WithTags("Supervision").RequireAuthorization(CoordinationPolicies.TerritoryOperator);
        cases.MapGet("/{person}", GetAsync).RecordsPersonalDataAccess<SupervisionDbContext>(Purpose, "person");
        cases.MapGet("/", ListAsync).RecordsPersonalDataAccess<SupervisionDbContext>(Purpose);
        cases
            .MapPost("/{person}/partners", AssignAsync)
            .RecordsPersonalDataAccess<SupervisionDbContext>(Purpose, "person")
            .AddEndpointFilter(RuleViolationProblems.Filter("The partner was not assigned."));
        cases
            .MapPost("/{person}/controls", ScheduleAsync)
            .RecordsPersonalDataAccess<SupervisionDbContext>(Purpose, "person")
            .AddEndpointFilter(RuleViolationProblems.Filter("The control was not scheduled."));
        cases
            .MapPost("/{person}/end", EndAsync)
            .RecordsPersonalDataAccess<SupervisionDbContext>(Purpose, "person")
            .AddEndpointFilter(RuleViolationProblems.Filter("The case was not ended."));
        cases
            .MapDelete("/{person}/partners/{partner}", UnassignAsync)
            .RecordsPersonalDataAccess<SupervisionDbContext>(Purpose, "person")
            .AddEndpointFilter(RuleViolationProblems.Filter("The partner was not taken off the case."));
        cases
            .MapPost("/{person}/support-actions", PlanSupportActionAsync)
            .RecordsPersonalDataAccess<SupervisionDbContext>(Purpose, "person")
            .AddEndpointFilter(RuleViolationProblems.Filter("The support action was not planned."));
        // Who sees a sensitive case is the council's decision, taken by its secretariat (like registering partners).
        cases
            .MapPost("/{person}/restriction", RestrictAsync)
            .RecordsPersonalDataAccess<SupervisionDbContext>(Purpose, "person")
            .RequireAuthorization(CoordinationPolicies.CdpdSecretariat)
            .AddEndpointFilter(RuleViolationProblems.Filter("The case was not restricted."));

        var partners = app.MapGroup("/supervision/partners").WithTags("Supervision");
        partners.MapGet("/", ListPartnersAsync).RequireAuthorization(CoordinationPolicies.TerritoryOperator);
        // Who may take part in follow-ups is the council's decision, made by its secretariat.
        partners.MapPost("/", RegisterPartner).RequireAuthorization(CoordinationPolicies.CdpdSecretariat);
    }

    private static async Task<IResult> GetAsync(string person, ClaimsPrincipal user, CaseQueries cases, CancellationToken ct)
    {
        if (!PersonRef.TryParse(person, out var reference) || !user.ActsFor(reference.Territory))
            return Problems.Forbidden();
        // A restricted case the caller is not named on answers exactly like one that does not exist.
        var found = await cases.OfPersonAsync(reference, user.SubjectOf(), ct);
        return found.Count == 0 ? Problems.Forbidden() : Results.Ok(found.Select(CaseView.Of));
    }

    private static async Task<IResult> ListAsync(
        HttpContext http,
        ClaimsPrincipal user,
        CaseQueries cases,
        TimeProvider clock,
        CancellationToken ct
    )
    {
        var visible = await cases.OfTerritoriesAsync(
            user.TerritoriesOf(),
            user.SubjectOf(),
            restricted => new AccessLogEntry
            {
                At = clock.GetUtcNow(),
                Principal = user.SubjectOf(),
                Kind = user.FindFirst(CoordinationClaims.Kind)?.Value,
                Role = user.FindFirst(CoordinationClaims.Role)?.Value,
                Method = http.Request.Method,
                Route = "/supervision/cases/",
                RecordRef = $"person:{restricted.Person.Value}",
                Purpose = RestrictedCaseRead,
                Outcome = "allowed",
                StatusCode = StatusCodes.Status200OK,
            },
            ct
        );
        return Results.Ok(visible.Select(CaseView.Of));
    }

    /// <summary>The access log's purpose for a restricted case shown in a list.</summary>
    public const string RestrictedCaseRead = "restricted-case-read";

    private static async Task<IResult> UnassignAsync(
        string person,
        string partner,
        ClaimsPrincipal user,
        CaseQueries cases,
        UnassignPartnerHandler handler,
        CancellationToken ct
    )
    {
        if (await OpenCaseAsync(person, user, cases, ct) is not { } open)
            return Problems.Forbidden();
        if (!PartnerId.TryParse(partner, out var id))
            return Problems.Validation(
                "The partner is not valid.",
                [("partner", "invalid-partner-id", "Expected '<territory>-<slug>' of an assigned partner.")]
            );
        await handler.HandleAsync(open, id, user.SubjectOf(), ct);
        return Results.Ok(CaseView.Of(open));
    }

    private static async Task<IResult> PlanSupportActionAsync(
        string person,
        HttpRequest request,
        ClaimsPrincipal user,
        CaseQueries cases,
        PlanSupportActionHandler handler,
        CancellationToken ct
    )
    {
        var (body, problem) = await request.ReadJsonBodyAsync<PlanSupportActionRequest>(ct);
        if (problem is not null)
            return problem;
        var violations = new List<(string, string, string)>();
        if (!ClosedList<SupportActionKind>.TryParse(body!.Kind, out var kind))
            violations.Add(("kind", ReasonCodes.InvalidField, $"One of: {WordsOf<SupportActionKind>()}."));
        if (!PartnerId.TryParse(body.Partner, out var partner))
            violations.Add(("partner", "invalid-partner-id", "Expected '<territory>-<slug>' of an assigned partner."));
        if (body.PlannedOn is null)
            violations.Add(("plannedOn", ReasonCodes.MissingField, "The day the action is planned to start."));
        if (violations.Count > 0)
            return Problems.Validation("The support action cannot be planned.", violations);
        if (await OpenCaseAsync(person, user, cases, ct) is not { } open)
            return Problems.Forbidden();
        await handler.HandleAsync(open, body.ActionId, kind, partner, body.PlannedOn!.Value, ct);
        return Results.Ok(CaseView.Of(open));
    }

    private static async Task<IResult> RestrictAsync(
        string person,
        HttpRequest request,
        ClaimsPrincipal user,
        CaseQueries cases,
        RestrictCaseHandler handler,
        CancellationToken ct
    )
    {
        var (body, problem) = await request.ReadJsonBodyAsync<RestrictCaseRequest>(ct);
        if (problem is not null)
            return problem;
        var violations = new List<(string, string, string)>();
        if (!ClosedList<CaseRestrictionReason>.TryParse(body!.Reason, out var reason))
            violations.Add(("reason", ReasonCodes.InvalidField, $"One of: {WordsOf<CaseRestrictionReason>()}."));
        var operators = (body.Operators ?? []).Select(o => o?.Trim() ?? "").ToList();
        if (operators.Count > 20 || operators.Any(o => o.Length is 0 or > 200 || o.Contains(',')))
            violations.Add(
                (
                    "operators",
                    ReasonCodes.InvalidField,
                    "Up to 20 operators, each by the account name their token carries (1 to 200 characters, no comma)."
                )
            );
        if (violations.Count > 0)
            return Problems.Validation("The case cannot be restricted.", violations);
        if (await OpenCaseAsync(person, user, cases, ct) is not { } open)
            return Problems.Forbidden();
        await handler.HandleAsync(open, reason, operators, user.SubjectOf(), ct);
        return Results.Ok(CaseView.Of(open));
    }

    private static async Task<IResult> AssignAsync(
        string person,
        HttpRequest request,
        ClaimsPrincipal user,
        CaseQueries cases,
        PartnerQueries partners,
        AssignPartnerHandler handler,
        CancellationToken ct
    )
    {
        var (body, problem) = await request.ReadJsonBodyAsync<AssignPartnerRequest>(ct);
        if (problem is not null)
            return problem;
        if (await OpenCaseAsync(person, user, cases, ct) is not { } open)
            return Problems.Forbidden();
        var partner = body!.Partner is null ? null : await partners.FindAsync(body.Partner, ct);
        if (partner is null)
            return Problems.Validation(
                "The partner is not registered.",
                [("partner", "unknown-partner", "Assign a partner registered in the case's territory.")]
            );
        PartnerRole role = partner.Role;
        if (body.Role is not null && !ClosedList<PartnerRole>.TryParse(body.Role, out role))
            return Problems.Validation("Unknown role.", [("role", ReasonCodes.InvalidField, $"One of: {WordsOf<PartnerRole>()}.")]);
        await handler.HandleAsync(open, partner, role, ct);
        return Results.Ok(CaseView.Of(open));
    }

    private static async Task<IResult> ScheduleAsync(
        string person,
        HttpRequest request,
        ClaimsPrincipal user,
        CaseQueries cases,
        ScheduleControlHandler handler,
        CancellationToken ct
    )
    {
        var (body, problem) = await request.ReadJsonBodyAsync<ScheduleControlRequest>(ct);
        if (problem is not null)
            return problem;
        if (await OpenCaseAsync(person, user, cases, ct) is not { } open)
            return Problems.Forbidden();
        if (!PartnerId.TryParse(body!.Partner, out var partner))
            return Problems.Validation(
                "The partner is not valid.",
                [("partner", "invalid-partner-id", "Expected '<territory>-<slug>' of an assigned partner.")]
            );
        if (body.ScheduledFor is not { } on)
            return Problems.Validation(
                "The date is missing.",
                [("scheduledFor", ReasonCodes.InvalidField, "The day the control is planned for.")]
            );
        await handler.HandleAsync(open, body.ControlId, partner, on, ct);
        return Results.Ok(CaseView.Of(open));
    }

    private static async Task<IResult> EndAsync(
        string person,
        HttpRequest request,
        ClaimsPrincipal user,
        CaseQueries cases,
        EndCaseHandler handler,
        CancellationToken ct
    )
    {
        var (body, problem) = await request.ReadJsonBodyAsync<EndCaseRequest>(ct);
        if (problem is not null)
            return problem;
        if (await OpenCaseAsync(person, user, cases, ct) is not { } open)
            return Problems.Forbidden();
        if (!ClosedList<SupervisionEndReason>.TryParse(body!.Reason, out var reason))
            return Problems.Validation(
                "Unknown reason.",
                [("reason", ReasonCodes.InvalidField, "One of: end-of-measure, transferred-to-another-territory, death.")]
            );
        if (reason == SupervisionEndReason.DesignationWithdrawn)
            return Problems.Validation(
                "Only the judicial authority withdraws a designation.",
                [
                    (
                        "reason",
                        "withdrawal-is-judicial",
                        "A designation is withdrawn by the judicial authority's message, not by an operator."
                    ),
                ]
            );
        await handler.HandleAsync(open, reason, ct);
        return Results.Ok(CaseView.Of(open));
    }

    private static async Task<IResult> ListPartnersAsync(ClaimsPrincipal user, PartnerQueries partners, CancellationToken ct)
    {
        var found = await partners.OfTerritoriesAsync(user.TerritoriesOf(), ct);
        return Results.Ok(found.Select(p => new PartnerView(p.Id, p.Territory.Value, p.Role, p.Name, p.RegisteredAt)));
    }

    /// <summary>
    /// Partners are registered in the gateway's directory (ADR 16), which Supervision's list follows: a second
    /// door here would let the two lists part. The route stays to say where registration went.
    /// </summary>
    private static IResult RegisterPartner() =>
        Results.Problem(
            title: "Partners are registered and retired in the directory: POST /directory/partners at the gateway.",
            statusCode: StatusCodes.Status410Gone,
            type: Problems.TypeOf("registered-in-the-directory"),
            extensions: new Dictionary<string, object?> { ["reasonCode"] = "registered-in-the-directory" }
        );

    /// <summary>The open case of a person the caller may see; anything else answers like a missing record.</summary>
    private static async Task<SupervisionCase?> OpenCaseAsync(
        string person,
        ClaimsPrincipal user,
        CaseQueries cases,
        CancellationToken ct
    ) =>
        PersonRef.TryParse(person, out var reference) && user.ActsFor(reference.Territory)
            ? await cases.OpenCaseAsync(reference, user.SubjectOf(), ct)
            : null;

    private static string WordsOf<T>()
        where T : struct, Enum => string.Join(", ", Enum.GetValues<T>().Select(ClosedList<T>.WordOf));
}

using System.Security.Claims;
using Coordination.Contracts;
using Coordination.Contracts.Supervision;
using Coordination.Contracts.Values;
using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Sealing;
using Coordination.ServiceDefaults.Security;
using Coordination.Supervision.Consumers;
using Coordination.Supervision.Domain;
using Coordination.Supervision.Persistence;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Coordination.Supervision.Api;

public sealed record AssignmentView(string Partner, PartnerRole Role, DateTimeOffset AssignedAt);

public sealed record ControlView(Guid Id, string Partner, DateOnly? ScheduledFor, DateOnly? ControlledOn, ControlOutcome? Outcome);

public sealed record IncidentView(Guid Id, string Partner, IncidentKind Kind, IncidentSeverity Severity, DateTimeOffset OccurredAt);

/// <summary>What an operator sees of a case: the reference, never an identity.</summary>
public sealed record CaseView(Guid Id, string Person, string Territory, string SentenceEnforcementJurisdiction, DateOnly ReleaseDate,
    DateOnly MeasureEndsOn, IReadOnlyList<DesignationGround> Grounds, CaseStatus Status, DateTimeOffset OpenedAt, DateTimeOffset? EndedAt,
    SupervisionEndReason? EndReason, DateTimeOffset? PurgeDueAt, int ConductReports,
    IReadOnlyList<AssignmentView> Partners, IReadOnlyList<ControlView> Controls, IReadOnlyList<IncidentView> Incidents)
{
    public static CaseView Of(SupervisionCase c) => new(c.Id, c.Person.Value, c.Territory.Value, c.SentenceEnforcementJurisdiction,
        c.ReleaseDate, c.MeasureEndsOn, c.Grounds, c.Status, c.OpenedAt, c.EndedAt, c.EndReason, c.PurgeDueAt, c.ConductReports.Count,
        c.Assignments.OrderBy(a => a.AssignedAt).Select(a => new AssignmentView(a.Partner, a.Role, a.AssignedAt)).ToList(),
        c.Controls.OrderBy(k => k.ScheduledFor ?? k.ControlledOn).Select(k => new ControlView(k.Id, k.Partner, k.ScheduledFor, k.ControlledOn, k.Outcome)).ToList(),
        c.Incidents.OrderBy(i => i.OccurredAt).Select(i => new IncidentView(i.Id, i.Partner, i.Kind, i.Severity, i.OccurredAt)).ToList());
}

public sealed record PartnerView(string Id, string Territory, PartnerRole Role, string Name, DateTimeOffset RegisteredAt);

public sealed record AssignPartnerRequest(string? Partner, string? Role);
public sealed record ScheduleControlRequest(string? Partner, DateOnly? ScheduledFor, Guid? ControlId);
public sealed record EndCaseRequest(string? Reason);

public static class SupervisionApi
{
    private const string Purpose = "community-supervision-follow-up";

    public static void Map(IEndpointRouteBuilder app)
    {
        var cases = app.MapGroup("/supervision/cases").WithTags("Supervision").RequireAuthorization(CoordinationPolicies.TerritoryOperator);
        cases.MapGet("/{person}", GetAsync).RecordsPersonalDataAccess<SupervisionDbContext>(Purpose, "person");
        cases.MapGet("/", ListAsync).RecordsPersonalDataAccess<SupervisionDbContext>(Purpose);
        cases.MapPost("/{person}/partners", AssignAsync).RecordsPersonalDataAccess<SupervisionDbContext>(Purpose, "person");
        cases.MapPost("/{person}/controls", ScheduleAsync).RecordsPersonalDataAccess<SupervisionDbContext>(Purpose, "person");
        cases.MapPost("/{person}/end", EndAsync).RecordsPersonalDataAccess<SupervisionDbContext>(Purpose, "person");

        var partners = app.MapGroup("/supervision/partners").WithTags("Supervision");
        partners.MapGet("/", ListPartnersAsync).RequireAuthorization(CoordinationPolicies.TerritoryOperator);
        // Who may take part in follow-ups is the council's decision, made by its secretariat.
        partners.MapPost("/", RegisterPartner).RequireAuthorization(CoordinationPolicies.CdpdSecretariat);
    }

    private static async Task<IResult> GetAsync(string person, ClaimsPrincipal user, SupervisionDbContext db, CancellationToken ct)
    {
        if (!PersonRef.TryParse(person, out var reference) || !user.ActsFor(reference.Territory)) return Problems.Forbidden();
        var found = await db.Cases.AsNoTracking().WithFollowUp().Where(c => c.Person == reference).OrderByDescending(c => c.OpenedAt).ToListAsync(ct);
        return found.Count == 0 ? Problems.Forbidden() : Results.Ok(found.Select(CaseView.Of));
    }

    private static async Task<IResult> ListAsync(ClaimsPrincipal user, SupervisionDbContext db, CancellationToken ct)
    {
        var mine = user.TerritoriesOf().ToList();
        var found = await db.Cases.AsNoTracking().WithFollowUp().Where(c => mine.Contains(c.Territory)).ToListAsync(ct);
        return Results.Ok(found.OrderByDescending(c => c.OpenedAt).Select(CaseView.Of));
    }

    private static async Task<IResult> AssignAsync(string person, HttpRequest request, ClaimsPrincipal user, SupervisionDbContext db, SealingKeyStore keys,
        TimeProvider clock, CancellationToken ct)
    {
        var (body, problem) = await request.ReadJsonBodyAsync<AssignPartnerRequest>(ct);
        if (problem is not null) return problem;
        if (await OpenCaseAsync(person, user, db, ct) is not { } open) return Problems.Forbidden();
        var partner = body!.Partner is null ? null : await db.Partners.SingleOrDefaultAsync(p => p.Id == body.Partner, ct);
        if (partner is null)
            return Problems.Validation("The partner is not registered.", [("partner", "unknown-partner", "Assign a partner registered in the case's territory.")]);
        PartnerRole role = partner.Role;
        if (body.Role is not null && !ClosedList<PartnerRole>.TryParse(body.Role, out role))
            return Problems.Validation("Unknown role.", [("role", ReasonCodes.InvalidField, $"One of: {string.Join(", ", Enum.GetValues<PartnerRole>().Select(ClosedList<PartnerRole>.WordOf))}.")]);
        return await ApplyAsync(db, ct, () =>
        {
            db.PublishOnCommit(open.Assign(partner, role, clock.GetUtcNow()));
            // The new partner is told what the rules let its role know; the gateway decides, category by category.
            var (release, messageId) = PartnerInformation.Release(open, [partner.Id], PartnerInformation.OnAssignment, keys);
            db.PublishOnCommit(release, messageId: messageId);
        }, open);
    }

    private static async Task<IResult> ScheduleAsync(string person, HttpRequest request, ClaimsPrincipal user, SupervisionDbContext db, SealingKeyStore keys,
        CancellationToken ct)
    {
        var (body, problem) = await request.ReadJsonBodyAsync<ScheduleControlRequest>(ct);
        if (problem is not null) return problem;
        if (await OpenCaseAsync(person, user, db, ct) is not { } open) return Problems.Forbidden();
        if (!PartnerId.TryParse(body!.Partner, out var partner))
            return Problems.Validation("The partner is not valid.", [("partner", "invalid-partner-id", "Expected '<territory>-<slug>' of an assigned partner.")]);
        if (body.ScheduledFor is not { } on)
            return Problems.Validation("The date is missing.", [("scheduledFor", ReasonCodes.InvalidField, "The day the control is planned for.")]);
        return await ApplyAsync(db, ct, () =>
        {
            db.PublishOnCommit(open.ScheduleControl(body.ControlId ?? NewId.NextGuid(), partner, on));
            var (release, messageId) = PartnerInformation.Release(open, open.Assignments.Select(a => a.Partner).ToList(), PartnerInformation.OnPlanChange, keys);
            db.PublishOnCommit(release, messageId: messageId);
        }, open);
    }

    private static async Task<IResult> EndAsync(string person, HttpRequest request, ClaimsPrincipal user, SupervisionDbContext db, TimeProvider clock,
        IOptions<SupervisionOptions> options, CancellationToken ct)
    {
        var (body, problem) = await request.ReadJsonBodyAsync<EndCaseRequest>(ct);
        if (problem is not null) return problem;
        if (await OpenCaseAsync(person, user, db, ct) is not { } open) return Problems.Forbidden();
        if (!ClosedList<SupervisionEndReason>.TryParse(body!.Reason, out var reason))
            return Problems.Validation("Unknown reason.", [("reason", ReasonCodes.InvalidField, "One of: end-of-measure, transferred-to-another-territory, death.")]);
        if (reason == SupervisionEndReason.DesignationWithdrawn)
            return Problems.Validation("Only the judicial authority withdraws a designation.",
                [("reason", "withdrawal-is-judicial", "A designation is withdrawn by the judicial authority's message, not by an operator.")]);
        return await ApplyAsync(db, ct, () => db.PublishOnCommit(open.End(reason, clock.GetUtcNow(), options.Value.RetentionPeriod)), open);
    }

    private static async Task<IResult> ListPartnersAsync(ClaimsPrincipal user, SupervisionDbContext db, CancellationToken ct)
    {
        var mine = user.TerritoriesOf().ToList();
        var found = await db.Partners.AsNoTracking().Where(p => mine.Contains(p.Territory)).OrderBy(p => p.Id).ToListAsync(ct);
        return Results.Ok(found.Select(p => new PartnerView(p.Id, p.Territory.Value, p.Role, p.Name, p.RegisteredAt)));
    }

    /// <summary>
    /// Partners are registered in the gateway's directory (ADR 16), which Supervision's list follows: a second
    /// door here would let the two lists part. The route stays to say where registration went.
    /// </summary>
    private static IResult RegisterPartner() =>
        Results.Problem(title: "Partners are registered and retired in the directory: POST /directory/partners at the gateway.",
            statusCode: StatusCodes.Status410Gone, type: Problems.TypeOf("registered-in-the-directory"),
            extensions: new Dictionary<string, object?> { ["reasonCode"] = "registered-in-the-directory" });

    /// <summary>The open case of a person the caller may see; anything else answers like a missing record.</summary>
    private static async Task<SupervisionCase?> OpenCaseAsync(string person, ClaimsPrincipal user, SupervisionDbContext db, CancellationToken ct)
    {
        if (!PersonRef.TryParse(person, out var reference) || !user.ActsFor(reference.Territory)) return null;
        return await db.Cases.WithFollowUp().SingleOrDefaultAsync(c => c.Person == reference && c.Status == CaseStatus.Open, ct);
    }

    private static async Task<IResult> ApplyAsync(SupervisionDbContext db, CancellationToken ct, Action change, SupervisionCase open)
    {
        try
        {
            change();
        }
        catch (CaseRuleViolation violation)
        {
            return Conflict(violation.ReasonCode, violation.Message);
        }
        await db.SaveChangesAsync(ct);
        return Results.Ok(CaseView.Of(open));
    }

    private static IResult Conflict(string reasonCode, string title) =>
        Results.Problem(title: title, statusCode: StatusCodes.Status409Conflict, type: Problems.TypeOf(reasonCode),
            extensions: new Dictionary<string, object?> { ["reasonCode"] = reasonCode });
}

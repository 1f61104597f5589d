using System.Security.Claims;
using Coordination.Contracts.Supervision;
using Coordination.Contracts.Values;
using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Security;
using Coordination.Supervision.Domain;
using Coordination.Supervision.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Coordination.Supervision.Api;

/// <summary>What an operator sees of a case: the reference, never an identity.</summary>
public sealed record CaseView(Guid Id, string Person, string Territory, string SentenceEnforcementJurisdiction, DateOnly ReleaseDate,
    DateOnly MeasureEndsOn, IReadOnlyList<DesignationGround> Grounds, CaseStatus Status, DateTimeOffset OpenedAt, DateTimeOffset? EndedAt, int ConductReports)
{
    public static CaseView Of(SupervisionCase c) => new(c.Id, c.Person.Value, c.Territory.Value, c.SentenceEnforcementJurisdiction,
        c.ReleaseDate, c.MeasureEndsOn, c.Grounds, c.Status, c.OpenedAt, c.EndedAt, c.ConductReports.Count);
}

public static class SupervisionApi
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var cases = app.MapGroup("/supervision/cases").WithTags("Supervision").RequireAuthorization(CoordinationPolicies.TerritoryOperator);
        cases.MapGet("/{person}", GetAsync).RecordsPersonalDataAccess<SupervisionDbContext>("community-supervision-follow-up", "person");
        cases.MapGet("/", ListAsync).RecordsPersonalDataAccess<SupervisionDbContext>("community-supervision-follow-up");
    }

    private static async Task<IResult> GetAsync(string person, ClaimsPrincipal user, SupervisionDbContext db, CancellationToken ct)
    {
        if (!PersonRef.TryParse(person, out var reference) || !user.ActsFor(reference.Territory)) return Problems.Forbidden();
        var found = await db.Cases.AsNoTracking().Include(c => c.ConductReports).Where(c => c.Person == reference).OrderByDescending(c => c.OpenedAt).ToListAsync(ct);
        return found.Count == 0 ? Problems.Forbidden() : Results.Ok(found.Select(CaseView.Of));
    }

    private static async Task<IResult> ListAsync(ClaimsPrincipal user, SupervisionDbContext db, CancellationToken ct)
    {
        var mine = user.TerritoriesOf().ToList();
        var found = await db.Cases.AsNoTracking().Include(c => c.ConductReports).Where(c => mine.Contains(c.Territory)).ToListAsync(ct);
        return Results.Ok(found.OrderByDescending(c => c.OpenedAt).Select(CaseView.Of));
    }
}

using System.Security.Claims;
using Coordination.CourtReporting.Application;
using Coordination.CourtReporting.Persistence;
using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Rules;
using Coordination.ServiceDefaults.Security;

namespace Coordination.CourtReporting.Api;

/// <summary>The operators' door to 4°: adapters over <see cref="CourtReportingQueries"/> and <see cref="IssueReportNowHandler"/>.</summary>
public static class CourtReportingApi
{
    private const string Purpose = "court-reporting";

    public static void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/court-reporting")
            .WithTags("CourtReporting")
            .RequireAuthorization(CoordinationPolicies.TerritoryOperator);
        group.MapGet("/jurisdictions", JurisdictionsAsync);
        group.MapGet("/reports", ListAsync);
        group
            .MapGet("/reports/{jurisdiction}/{number:int}", GetAsync)
            .RecordsPersonalDataAccess<CourtReportingDbContext>(Purpose, "jurisdiction");
        group
            .MapGet("/jurisdictions/{jurisdiction}", PictureAsync)
            .RecordsPersonalDataAccess<CourtReportingDbContext>(Purpose, "jurisdiction");
        // Before a meeting, an operator may have the next report issued now rather than at the period's end.
        group
            .MapPost("/jurisdictions/{jurisdiction}/reports", IssueNowAsync)
            .RecordsPersonalDataAccess<CourtReportingDbContext>(Purpose, "jurisdiction")
            .AddEndpointFilter(
                RuleViolationProblems.Filter("Another report of this jurisdiction was issued at the same moment; ask again.")
            );
    }

    private static async Task<IResult> JurisdictionsAsync(ClaimsPrincipal user, CourtReportingQueries queries, CancellationToken ct) =>
        Results.Ok(await queries.JurisdictionsAsync(user, ct));

    private static async Task<IResult> ListAsync(
        string? jurisdiction,
        ClaimsPrincipal user,
        CourtReportingQueries queries,
        CancellationToken ct
    ) => await queries.ReportsAsync(jurisdiction, user, ct) is { } reports ? Results.Ok(reports) : Problems.Forbidden();

    private static async Task<IResult> GetAsync(
        string jurisdiction,
        int number,
        ClaimsPrincipal user,
        CourtReportingQueries queries,
        CancellationToken ct
    )
    {
        if (await queries.VisibleAsync(jurisdiction, user, ct) is not { } visible)
            return Problems.Forbidden();
        return await queries.ReportAsync(visible, number, ct) is { } report
            ? Results.Ok(ReportView.Of(report))
            : Problems.NotFound("No report with this number in this jurisdiction.");
    }

    private static async Task<IResult> PictureAsync(
        string jurisdiction,
        ClaimsPrincipal user,
        CourtReportingQueries queries,
        CancellationToken ct
    ) =>
        await queries.VisibleAsync(jurisdiction, user, ct) is { } visible
            ? Results.Ok(await queries.PictureAsync(visible, ct))
            : Problems.Forbidden();

    private static async Task<IResult> IssueNowAsync(
        string jurisdiction,
        ClaimsPrincipal user,
        CourtReportingQueries queries,
        IssueReportNowHandler handler,
        CancellationToken ct
    )
    {
        if (await queries.VisibleAsync(jurisdiction, user, ct, includeRetired: false) is not { } active)
            return Problems.Forbidden();
        var report = await handler.HandleAsync(active, ct);
        return Results.Created($"/court-reporting/reports/{active.Id}/{report.Number}", ReportView.Of(report));
    }
}

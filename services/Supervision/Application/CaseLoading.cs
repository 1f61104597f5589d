using Coordination.Contracts.Values;
using Coordination.ServiceDefaults.Rules;
using Coordination.Supervision.Domain;
using Coordination.Supervision.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Coordination.Supervision.Application;

internal static class CaseLoading
{
    public static IQueryable<SupervisionCase> WithFollowUp(this IQueryable<SupervisionCase> cases) =>
        cases
            .Include(c => c.Assignments)
            .Include(c => c.Controls)
            .Include(c => c.Incidents)
            .Include(c => c.ConductReports)
            .Include(c => c.SupportActions)
            .AsSplitQuery();

    /// <summary>The person's open case with all its follow-up, tracked for a change; null when none is open.</summary>
    public static Task<SupervisionCase?> OpenCaseOfAsync(
        this SupervisionDbContext db,
        PersonRef person,
        CancellationToken cancellationToken
    ) => db.Cases.WithFollowUp().SingleOrDefaultAsync(c => c.Person == person && c.Status == CaseStatus.Open, cancellationToken);

    /// <summary>A message about a person with no open case is its sender's error: refused with its reason, not retried.</summary>
    public static async Task<SupervisionCase> OpenCaseOrRefuseAsync(
        this SupervisionDbContext db,
        PersonRef person,
        CancellationToken cancellationToken
    ) => await db.OpenCaseOfAsync(person, cancellationToken) ?? throw NoOpenCase();

    public static RuleViolation NoOpenCase() => RuleViolation.Conflict("no-open-case", "no open case for this person.", "person");
}

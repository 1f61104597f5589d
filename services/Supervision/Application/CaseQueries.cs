using Coordination.Contracts.Values;
using Coordination.ServiceDefaults.Security;
using Coordination.Supervision.Domain;
using Coordination.Supervision.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Coordination.Supervision.Application;

/// <summary>
/// The cases an operator may see: those of the territories they act for, and of a restricted case
/// only if they are named on it. A case they may not see reads exactly like one that does not exist.
/// </summary>
public sealed class CaseQueries(SupervisionDbContext db)
{
    /// <summary>Every case of the person the operator may see, latest first.</summary>
    public async Task<IReadOnlyList<SupervisionCase>> OfPersonAsync(PersonRef person, string subject, CancellationToken cancellationToken)
    {
        var found = await db
            .Cases.AsNoTracking()
            .WithFollowUp()
            .Where(c => c.Person == person)
            .OrderByDescending(c => c.OpenedAt)
            .ToListAsync(cancellationToken);
        return found.Where(c => c.VisibleTo(subject)).ToList();
    }

    /// <summary>
    /// The cases of <paramref name="territories"/> the operator may see, latest first. The request is
    /// logged once as a list; each restricted case it shows is logged by name as well, as
    /// <paramref name="restrictedRead"/> describes it.
    /// </summary>
    public async Task<IReadOnlyList<SupervisionCase>> OfTerritoriesAsync(
        IReadOnlyCollection<TerritoryCode> territories,
        string subject,
        Func<SupervisionCase, AccessLogEntry> restrictedRead,
        CancellationToken cancellationToken
    )
    {
        var mine = territories.ToList();
        var found = await db.Cases.AsNoTracking().WithFollowUp().Where(c => mine.Contains(c.Territory)).ToListAsync(cancellationToken);
        var visible = found.Where(c => c.VisibleTo(subject)).OrderByDescending(c => c.OpenedAt).ToList();
        foreach (var restricted in visible.Where(c => c.Restriction is not null))
            db.AccessLog.Add(restrictedRead(restricted));
        await db.SaveChangesAsync(cancellationToken);
        return visible;
    }

    /// <summary>The person's open case if the operator may see it, tracked for the change a handler makes to it.</summary>
    public async Task<SupervisionCase?> OpenCaseAsync(PersonRef person, string subject, CancellationToken cancellationToken)
    {
        var open = await db.OpenCaseOfAsync(person, cancellationToken);
        return open is not null && open.VisibleTo(subject) ? open : null;
    }
}

/// <summary>The partners of Supervision's copy of the directory, which cases are assigned from.</summary>
public sealed class PartnerQueries(SupervisionDbContext db)
{
    public async Task<IReadOnlyList<Partner>> OfTerritoriesAsync(
        IReadOnlyCollection<TerritoryCode> territories,
        CancellationToken cancellationToken
    )
    {
        var mine = territories.ToList();
        return await db.Partners.AsNoTracking().Where(p => mine.Contains(p.Territory)).OrderBy(p => p.Id).ToListAsync(cancellationToken);
    }

    /// <summary>The registered partner of that id, or null.</summary>
    public Task<Partner?> FindAsync(string id, CancellationToken cancellationToken) =>
        db.Partners.SingleOrDefaultAsync(p => p.Id == id, cancellationToken);
}

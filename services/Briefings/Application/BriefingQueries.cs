using Coordination.Briefings.Domain;
using Coordination.Briefings.Persistence;
using Coordination.Contracts.Values;
using Coordination.ServiceDefaults.Territories;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Coordination.Briefings.Application;

/// <summary>Where a territory stands, for one year, on its duty to be briefed (1°).</summary>
public sealed record YearCompliance(
    TerritoryCode Territory,
    int Year,
    ComplianceStatus Status,
    int Briefings,
    DateOnly? LastBriefedOn,
    DateTimeOffset YearEndsAt
);

/// <summary>
/// The briefings and the yearly duty as the API reads them. Which territories a caller may read is
/// the endpoint's decision; these read what they are asked for.
/// </summary>
public sealed class BriefingQueries(BriefingsDbContext db, TimeProvider clock, IOptions<BriefingsOptions> options)
{
    public Task<PenalPolicyBriefing?> FindAsync(Guid id, CancellationToken cancellationToken) =>
        db.Briefings.AsNoTracking().SingleOrDefaultAsync(b => b.Id == id, cancellationToken);

    /// <summary>The briefings of <paramref name="territories"/>, of one year or of all, oldest first.</summary>
    public async Task<IReadOnlyList<PenalPolicyBriefing>> OfTerritoriesAsync(
        IReadOnlyCollection<TerritoryCode> territories,
        int? year,
        CancellationToken cancellationToken
    )
    {
        var mine = territories.ToList();
        var query = db.Briefings.AsNoTracking().Where(b => mine.Contains(b.Territory));
        if (year is not null)
            query = query.Where(b => b.Year == year);
        return await query.OrderBy(b => b.BriefedOn).ToListAsync(cancellationToken);
    }

    /// <summary>The territories this platform serves, each with its deadlines.</summary>
    public IReadOnlyList<TerritoryCode> ServedTerritories() => options.Value.ServedTerritories();

    public async Task<YearCompliance> ComplianceAsync(TerritoryCode territory, int year, CancellationToken cancellationToken)
    {
        var dates = await db
            .Briefings.AsNoTracking()
            .Where(b => b.Territory == territory && b.Year == year)
            .Select(b => b.BriefedOn)
            .ToListAsync(cancellationToken);
        var status = AnnualCompliance.Of(territory, year, dates.Count, clock.GetUtcNow(), options.Value.DueLead);
        return new YearCompliance(
            territory,
            year,
            status,
            dates.Count,
            dates.Count == 0 ? null : dates.Max(),
            TerritoryCalendar.EndOfYear(territory, year)
        );
    }
}

using Coordination.Contracts.Values;
using Coordination.Gateway.Api;
using Coordination.Gateway.Application.Ingress;
using Coordination.Gateway.Domain;
using Coordination.Gateway.Persistence;
using Coordination.ServiceDefaults.Security;
using Microsoft.EntityFrameworkCore;

namespace Coordination.Gateway.Application;

/// <summary>
/// The agencies and jurisdictions registered with the platform, read from the gateway's own tables
/// at every decision (ADR 16): a retirement committed by one gateway instance holds for the next
/// message or release any instance decides, with no cache to wait out.
/// </summary>
public sealed class AgencyDirectory(GatewayDbContext db)
{
    /// <summary>
    /// The active agency under <paramref name="account"/>; an id outside <see cref="AgencyId"/>'s rule, or a retired agency, is no one's.
    /// </summary>
    public async Task<AgencySource?> FindAsync(string? account, CancellationToken cancellationToken) =>
        await FindRegisteredAsync(account, cancellationToken) is { Retired: false } agency
            ? new AgencySource(agency.Account, agency.Role, agency.TerritorySet)
            : null;

    /// <summary>The agency as registered, retired or not.</summary>
    public async Task<RegisteredAgency?> FindRegisteredAsync(string? account, CancellationToken cancellationToken) =>
        AgencyId.IsValid(account)
            ? await db.Agencies.AsNoTracking().SingleOrDefaultAsync(a => a.Account == account, cancellationToken)
            : null;

    /// <summary>The active jurisdiction <paramref name="id"/> of <paramref name="territory"/>, or null.</summary>
    public async Task<Jurisdiction?> JurisdictionAsync(string? id, TerritoryCode territory, CancellationToken cancellationToken)
    {
        if (id is null || id.Length > DirectoryLimits.JurisdictionId)
            return null;
        var found = await db.Jurisdictions.AsNoTracking().SingleOrDefaultAsync(j => j.Id == id, cancellationToken);
        return found is { RetiredAt: null } && found.Territory == territory ? found.ToJurisdiction() : null;
    }
}

using Coordination.Contracts.Values;
using Coordination.ServiceDefaults.Security;

namespace Coordination.Gateway.Ingress;

/// <summary>
/// The agencies registered with the platform, by the broker account they publish under. The demo's
/// agencies for now (one per role and demo territory, as in infra/rabbitmq/definitions.json).
/// </summary>
public sealed class AgencyDirectory
{
    private readonly Dictionary<string, AgencySource> _agencies = DemoPrincipals.All
        .Where(p => p.Kind == PrincipalKind.AgencySystem && p.Agency is not null)
        .ToDictionary(p => p.Agency!, p => new AgencySource(p.Agency!, p.Role, p.Territories.Select(TerritoryCode.Parse).ToHashSet()));

    /// <summary>The registered agency under <paramref name="account"/>; an id outside <see cref="AgencyId"/>'s rule is no one's.</summary>
    public AgencySource? Find(string? account) => AgencyId.IsValid(account) ? _agencies.GetValueOrDefault(account) : null;
}

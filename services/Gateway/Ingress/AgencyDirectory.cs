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

    public AgencySource? Find(string? account) => account is null ? null : _agencies.GetValueOrDefault(account);
}

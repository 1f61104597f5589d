using Coordination.Contracts.Supervision;
using Coordination.ServiceDefaults.Security;

namespace Coordination.Demo;

/// <summary>A demo agency that carries out follow-ups, registered as a partner of its territory.</summary>
public sealed record DemoPartner(string Id, PartnerRole Role, string Name);

/// <summary>The demo agencies that carry out follow-ups (prison, police, city, association of 75 and 93), as partners.</summary>
public static class DemoPartners
{
    public static IReadOnlyList<DemoPartner> All { get; } =
    [
        .. DemoPrincipals
            .All.Where(p => p.Agency is not null && RoleOf(p.Role) is not null)
            .Select(p => new DemoPartner(p.Agency!, RoleOf(p.Role)!.Value, p.Name)),
    ];

    public static PartnerRole? RoleOf(PrincipalRole role) =>
        role switch
        {
            PrincipalRole.PenitentiaryAdministration => PartnerRole.PenitentiaryAdministration,
            PrincipalRole.StateService => PartnerRole.StateService,
            PrincipalRole.LocalAuthority => PartnerRole.LocalAuthority,
            PrincipalRole.Association => PartnerRole.Association,
            PrincipalRole.OtherPublicOrPrivatePerson => PartnerRole.OtherPublicOrPrivatePerson,
            _ => null,
        };
}

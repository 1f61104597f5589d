using Coordination.Contracts.Values;

namespace Coordination.ServiceDefaults.Security;

public sealed record DemoPrincipal(string Name, PrincipalKind Kind, PrincipalRole Role, IReadOnlyList<string> Territories, string? Agency);

/// <summary>
/// The demo's principals, one per role and demo territory (75 Paris, 93 Seine-Saint-Denis), shared by
/// the development token command, the tests and the README walkthrough.
/// </summary>
public static class DemoPrincipals
{
    public static readonly string[] Territories = ["75", "93"];

    private static readonly (string Prefix, PrincipalKind Kind, PrincipalRole Role, string? Agency)[] PerTerritory =
    [
        ("secretariat", PrincipalKind.Operator, PrincipalRole.CdpdSecretariat, null),
        ("security-staff", PrincipalKind.Operator, PrincipalRole.SecurityStaffMember, null),
        ("operational-cell", PrincipalKind.Operator, PrincipalRole.OperationalCellMember, null),
        ("prosecutor", PrincipalKind.AgencySystem, PrincipalRole.Prosecutor, "prosecutor"),
        ("jap", PrincipalKind.AgencySystem, PrincipalRole.SentenceEnforcementCourt, "jap"),
        ("spip", PrincipalKind.AgencySystem, PrincipalRole.ProbationService, "spip"),
        ("prison", PrincipalKind.AgencySystem, PrincipalRole.PenitentiaryAdministration, "prison-administration"),
        ("police", PrincipalKind.AgencySystem, PrincipalRole.StateService, "police"),
        ("city", PrincipalKind.AgencySystem, PrincipalRole.LocalAuthority, "local-authority"),
        ("association", PrincipalKind.AgencySystem, PrincipalRole.Association, "association"),
    ];

    public static IReadOnlyList<DemoPrincipal> All { get; } =
    [
        .. Territories.SelectMany(t =>
            PerTerritory.Select(p => new DemoPrincipal($"{p.Prefix}-{t}", p.Kind, p.Role, [t], p.Agency is null ? null : $"{t}-{p.Agency}"))
        ),
        new DemoPrincipal("auditor", PrincipalKind.Auditor, PrincipalRole.Auditor, Territories, null),
    ];

    public static DemoPrincipal Named(string name) =>
        All.SingleOrDefault(p => p.Name == name)
        ?? throw new ArgumentException($"No demo principal '{name}'. Known: {string.Join(", ", All.Select(p => p.Name))}.");

    public static bool IsDemoTerritory(TerritoryCode territory) => Territories.Contains(territory.Value);
}

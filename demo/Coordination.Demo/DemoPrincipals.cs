using Coordination.ServiceDefaults.Security;

namespace Coordination.Demo;

/// <summary>
/// The demo's principals, one per role and demo territory (75 Paris, 93 Seine-Saint-Denis), shared by
/// the dev-token command, the console's development sign-in (through configuration), the tests and the README walkthrough.
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

    public static IReadOnlyList<DevelopmentPrincipal> All { get; } =
    [
        .. Territories.SelectMany(t =>
            PerTerritory.Select(p => new DevelopmentPrincipal(
                $"{p.Prefix}-{t}",
                p.Kind,
                p.Role,
                [t],
                p.Agency is null ? null : $"{t}-{p.Agency}"
            ))
        ),
        new DevelopmentPrincipal("auditor", PrincipalKind.Auditor, PrincipalRole.Auditor, Territories, null),
    ];

    /// <summary>
    /// Who registers the demo data: the CDPD secretariat of both demo territories, under the name the audit chain
    /// shows for it. Not among <see cref="All"/>: nobody signs in as the seed.
    /// </summary>
    public static DevelopmentPrincipal Seeder { get; } =
        new("demo-seed", PrincipalKind.Operator, PrincipalRole.CdpdSecretariat, Territories, null);

    public static DevelopmentPrincipal Named(string name) =>
        All.SingleOrDefault(p => p.Name == name)
        ?? throw new ArgumentException($"No demo principal '{name}'. Known: {string.Join(", ", All.Select(p => p.Name))}.");

    /// <summary>The console's development sign-in list (<c>Console:DevelopmentPrincipals</c>): the operators and the auditor.</summary>
    public static IReadOnlyDictionary<string, string?> ConsoleSettings { get; } =
        All.Where(p => p.Kind is PrincipalKind.Operator or PrincipalKind.Auditor)
            .Select(
                (p, i) =>
                    KeyValuePair.Create(
                        $"Console:DevelopmentPrincipals:{i}",
                        (string?)$"{p.Name} {CoordinationClaims.Word(p.Role)} {string.Join(',', p.Territories)}"
                    )
            )
            .ToDictionary();
}

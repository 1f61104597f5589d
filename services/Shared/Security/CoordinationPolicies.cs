using Microsoft.AspNetCore.Authorization;

namespace Coordination.ServiceDefaults.Security;

/// <summary>
/// Every authorisation policy of the platform, declared once, named for who may act. Territory is
/// checked per record (<see cref="CoordinationClaims.ActsFor"/>): a policy says who, the record says where.
/// </summary>
public static class CoordinationPolicies
{
    /// <summary>A member of the état-major, the CORT or the CDPD secretariat, for the records of their territories.</summary>
    public const string TerritoryOperator = "territory-operator";

    /// <summary>Only the CDPD secretariat adopts the sharing rules (règlement intérieur).</summary>
    public const string CdpdSecretariat = "cdpd-secretariat";

    /// <summary>Only auditors read the audit log.</summary>
    public const string Auditor = "auditor";

    /// <summary>An agency's system, speaking for its own agency: the ingress only.</summary>
    public const string AgencySystem = "agency-system";

    /// <summary>
    /// Who registers an agency's sealing key: the agency's own system, or the CDPD secretariat (its territory checked per agency).
    /// </summary>
    public const string AgencyKeyRegistrar = "agency-key-registrar";

    private static readonly PrincipalRole[] OperatorRoles =
    [
        PrincipalRole.CdpdSecretariat,
        PrincipalRole.SecurityStaffMember,
        PrincipalRole.OperationalCellMember,
    ];

    public static void Add(AuthorizationOptions options)
    {
        options.AddPolicy(
            TerritoryOperator,
            p =>
                p.RequireAuthenticatedUser()
                    .RequireClaim(CoordinationClaims.Kind, CoordinationClaims.Word(PrincipalKind.Operator))
                    .RequireClaim(CoordinationClaims.Role, OperatorRoles.Select(CoordinationClaims.Word))
                    .RequireClaim(CoordinationClaims.Territory)
        );
        options.AddPolicy(
            CdpdSecretariat,
            p =>
                p.RequireAuthenticatedUser()
                    .RequireClaim(CoordinationClaims.Kind, CoordinationClaims.Word(PrincipalKind.Operator))
                    .RequireClaim(CoordinationClaims.Role, CoordinationClaims.Word(PrincipalRole.CdpdSecretariat))
                    .RequireClaim(CoordinationClaims.Territory)
        );
        options.AddPolicy(
            Auditor,
            p => p.RequireAuthenticatedUser().RequireClaim(CoordinationClaims.Kind, CoordinationClaims.Word(PrincipalKind.Auditor))
        );
        options.AddPolicy(
            AgencySystem,
            p =>
                p.RequireAuthenticatedUser()
                    .RequireClaim(CoordinationClaims.Kind, CoordinationClaims.Word(PrincipalKind.AgencySystem))
                    .RequireClaim(CoordinationClaims.Agency)
                    .RequireClaim(CoordinationClaims.Territory)
        );

        options.AddPolicy(
            AgencyKeyRegistrar,
            p =>
                p.RequireAuthenticatedUser()
                    .RequireAssertion(c =>
                        (c.User.KindOf() == PrincipalKind.AgencySystem && c.User.HasClaim(h => h.Type == CoordinationClaims.Agency))
                        || (
                            c.User.KindOf() == PrincipalKind.Operator
                            && c.User.RoleOf() == PrincipalRole.CdpdSecretariat
                            && c.User.HasClaim(h => h.Type == CoordinationClaims.Territory)
                        )
                    )
        );

        // Defence in depth: an endpoint mapped without a policy still demands a valid token
        // (and the architecture test fails on it).
        options.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();
    }
}

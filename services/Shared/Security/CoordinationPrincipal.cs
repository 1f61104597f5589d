using System.Security.Claims;
using System.Text.Json.Serialization;
using Coordination.Contracts.Values;

namespace Coordination.ServiceDefaults.Security;

/// <summary>Who calls: a person operating the platform, an agency's system, or an auditor.</summary>
[JsonConverter(typeof(KebabCaseEnumConverter<PrincipalKind>))]
public enum PrincipalKind
{
    Operator = 1,
    AgencySystem,
    Auditor,
}

/// <summary>What the caller is in the territory's coordination (glossary names).</summary>
[JsonConverter(typeof(KebabCaseEnumConverter<PrincipalRole>))]
public enum PrincipalRole
{
    /// <summary>Secretariat of the CDPD: adopts the sharing rules on the working groups' proposal.</summary>
    CdpdSecretariat = 1,
    SecurityStaffMember,
    OperationalCellMember,
    Prosecutor,
    SentenceEnforcementCourt,
    ProbationService,
    PenitentiaryAdministration,
    StateService,
    LocalAuthority,
    Association,
    OtherPublicOrPrivatePerson,
    Auditor,
}

/// <summary>The claims a Coordination token carries, and how code reads them.</summary>
public static class CoordinationClaims
{
    public const string Subject = "sub";
    public const string Kind = "coordination:kind";
    public const string Role = "coordination:role";
    public const string Territory = "coordination:territory";

    /// <summary>For agency systems: the agency the system speaks for (e.g. <c>75-prosecutor</c>).</summary>
    public const string Agency = "coordination:agency";

    public static string Word<TEnum>(TEnum value)
        where TEnum : struct, Enum => ClosedList<TEnum>.WordOf(value);

    public static PrincipalKind? KindOf(this ClaimsPrincipal user) =>
        ClosedList<PrincipalKind>.TryParse(user.FindFirst(Kind)?.Value, out var kind) ? kind : null;

    public static PrincipalRole? RoleOf(this ClaimsPrincipal user) =>
        ClosedList<PrincipalRole>.TryParse(user.FindFirst(Role)?.Value, out var role) ? role : null;

    public static IReadOnlySet<TerritoryCode> TerritoriesOf(this ClaimsPrincipal user) =>
        user.FindAll(Territory)
            .Select(c => TerritoryCode.TryParse(c.Value, out var t) ? t : (TerritoryCode?)null)
            .OfType<TerritoryCode>()
            .ToHashSet();

    /// <summary>Operators see only the territories they act for.</summary>
    public static bool ActsFor(this ClaimsPrincipal user, TerritoryCode territory) => user.TerritoriesOf().Contains(territory);

    public static string SubjectOf(this ClaimsPrincipal user) => user.FindFirst(Subject)?.Value ?? "anonymous";
}

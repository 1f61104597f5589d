using Coordination.Contracts.Gateway;
using Coordination.Contracts.Supervision;
using Coordination.Contracts.Values;
using Coordination.ServiceDefaults.Security;

namespace Coordination.Gateway.Domain;

/// <summary>
/// An agency the CDPD secretariat registered: the broker account (and token claim) it sends under,
/// the role the sharing rules know it by, and the territories it acts for. A retired agency keeps its
/// row, so that the audit's names stay resolvable and nothing is released to the account again.
/// </summary>
public sealed class RegisteredAgency
{
    public required string Account { get; init; }
    public PrincipalRole Role { get; set; }

    /// <summary>INSEE codes, comma-separated, ordered.</summary>
    public required string Territories { get; set; }
    public required string Name { get; set; }
    public DateTimeOffset RegisteredAt { get; set; }
    public required string RegisteredBy { get; set; }
    public DateTimeOffset? RetiredAt { get; set; }
    public string? RetiredBy { get; set; }

    public bool Retired => RetiredAt is not null;

    public IReadOnlySet<TerritoryCode> TerritorySet =>
        Territories.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(TerritoryCode.Parse).ToHashSet();
}

/// <summary>A sentence-enforcement jurisdiction: where court reports go (its JAP and SPIP accounts), and the only place they go.</summary>
public sealed class RegisteredJurisdiction
{
    public required string Id { get; init; }
    public required string Name { get; set; }
    public TerritoryCode Territory { get; set; }
    public required string SentenceEnforcementCourt { get; set; }
    public required string ProbationService { get; set; }
    public DateTimeOffset RegisteredAt { get; set; }
    public required string RegisteredBy { get; set; }
    public DateTimeOffset? RetiredAt { get; set; }
    public string? RetiredBy { get; set; }

    public Jurisdiction ToJurisdiction() => new(Id, Name, Territory, SentenceEnforcementCourt, ProbationService);

    /// <summary>What CourtReporting is told of this entry as it now stands (ADR 16).</summary>
    public JurisdictionDirectoryChanged Changed(DateTimeOffset at, string by) =>
        new()
        {
            Jurisdiction = Id,
            Name = Name,
            Territory = Territory,
            SentenceEnforcementCourt = SentenceEnforcementCourt,
            ProbationService = ProbationService,
            Retired = RetiredAt is not null,
            ChangedAt = at,
            ChangedBy = by,
        };
}

/// <summary>A registered agency that carries out follow-ups (3°) in its territory: Supervision may assign it to a case.</summary>
public sealed class RegisteredPartner
{
    public required string Id { get; init; }
    public TerritoryCode Territory { get; set; }
    public PartnerRole Role { get; set; }
    public required string Name { get; set; }
    public DateTimeOffset RegisteredAt { get; set; }
    public required string RegisteredBy { get; set; }
    public DateTimeOffset? RetiredAt { get; set; }
    public string? RetiredBy { get; set; }
}

public static class DirectoryLimits
{
    public const int Account = 4 + AgencyId.MaxSlugLength;
    public const int Territories = 100;
    public const int Name = 200;
    public const int JurisdictionId = 60;
    public const int By = 200;
}

public static class DirectoryReasons
{
    public const string AlreadyRegistered = "already-registered";
    public const string AlreadyRetired = "already-retired";
    public const string UnknownEntry = "unknown-entry";
    public const string InvalidAgencyId = "invalid-agency-id";
    public const string InvalidJurisdictionId = "invalid-jurisdiction-id";

    /// <summary>A jurisdiction or partner names an account that is no active agency of the right role and territory.</summary>
    public const string UnknownAgency = "unknown-agency";
}

/// <summary>Which roles the directory knows an agency and a partner by.</summary>
public static class DirectoryRoles
{
    /// <summary>The roles an agency's system may have: agencies, never the platform's own operators or auditors.</summary>
    public static readonly IReadOnlySet<PrincipalRole> AgencyRoles = new HashSet<PrincipalRole>
    {
        PrincipalRole.Prosecutor,
        PrincipalRole.SentenceEnforcementCourt,
        PrincipalRole.ProbationService,
        PrincipalRole.PenitentiaryAdministration,
        PrincipalRole.StateService,
        PrincipalRole.LocalAuthority,
        PrincipalRole.Association,
        PrincipalRole.OtherPublicOrPrivatePerson,
    };

    public static PrincipalRole PrincipalRoleOf(PartnerRole role) =>
        role switch
        {
            PartnerRole.PenitentiaryAdministration => PrincipalRole.PenitentiaryAdministration,
            PartnerRole.StateService => PrincipalRole.StateService,
            PartnerRole.LocalAuthority => PrincipalRole.LocalAuthority,
            PartnerRole.Association => PrincipalRole.Association,
            _ => PrincipalRole.OtherPublicOrPrivatePerson,
        };
}

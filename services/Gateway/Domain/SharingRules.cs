using Coordination.Contracts.Gateway;
using Coordination.Contracts.Supervision;
using Coordination.Contracts.Values;

namespace Coordination.Gateway.Domain;

/// <summary>
/// One grant of the règlement intérieur: a data category, to these recipient roles, for one purpose.
/// A grant that names <see cref="Restrictions"/> also covers the cases restricted for those reasons;
/// a restricted case gets nothing from a grant that does not name its restriction.
/// </summary>
public sealed record SharingRule(
    DataCategory Category,
    IReadOnlyList<RecipientRole> Roles,
    SharingPurpose Purpose,
    string? LegalBasis = null,
    DateOnly? EndsOn = null,
    IReadOnlyList<CaseRestrictionReason>? Restrictions = null
)
{
    public bool Grants(DataCategory category, RecipientRole role, SharingPurpose purpose, DateOnly on) =>
        Category == category && Purpose == purpose && Roles.Contains(role) && (EndsOn is null || on <= EndsOn);

    public bool Grants(
        DataCategory category,
        RecipientRole role,
        SharingPurpose purpose,
        DateOnly on,
        IReadOnlySet<CaseRestrictionReason>? restrictions
    ) =>
        Grants(category, role, purpose, on)
        && (restrictions is not { Count: > 0 } || restrictions.All(r => Restrictions?.Contains(r) == true));
}

/// <summary>
/// One adopted version of a territory's sharing rules (R4): who adopted it, on which working groups'
/// proposal, from when it is in force. Versions are never edited: a change is a new version.
/// </summary>
public sealed class SharingRulesVersion
{
    public long Id { get; private init; }
    public TerritoryCode Territory { get; private init; }
    public int Version { get; private init; }
    public DateTimeOffset InForceFrom { get; private init; }
    public DateTimeOffset AdoptedAt { get; private init; }
    public string AdoptedBy { get; private init; } = "";
    public List<string> ProposedBy { get; private init; } = [];
    public List<SharingRule> Rules { get; private init; } = [];

    private SharingRulesVersion() { }

    public static SharingRulesVersion Adopt(
        TerritoryCode territory,
        int version,
        DateTimeOffset inForceFrom,
        DateTimeOffset adoptedAt,
        string adoptedBy,
        IEnumerable<string> proposedBy,
        IEnumerable<SharingRule> rules
    ) =>
        new()
        {
            Territory = territory,
            Version = version,
            InForceFrom = inForceFrom,
            AdoptedAt = adoptedAt,
            AdoptedBy = adoptedBy,
            ProposedBy = proposedBy.ToList(),
            Rules = rules.ToList(),
        };

    /// <summary>The version in force at <paramref name="at"/>: the latest adopted among those already in force.</summary>
    public static SharingRulesVersion? InForce(IEnumerable<SharingRulesVersion> history, DateTimeOffset at) =>
        history.Where(v => v.InForceFrom <= at).OrderByDescending(v => v.InForceFrom).ThenByDescending(v => v.Version).FirstOrDefault();
}

using Coordination.Contracts.Gateway;
using Coordination.Contracts.Values;
using R = Coordination.Contracts.Gateway.ReleaseReasonCodes;

namespace Coordination.Gateway.Domain;

/// <summary>A registered member or partner of a territory. Anyone else is a third party.</summary>
public sealed record Recipient(string Id, TerritoryCode Territory, RecipientRole Role);

public sealed record ReleaseDecision(
    bool Released,
    IReadOnlyList<DataCategory> Granted,
    IReadOnlyList<DataCategory> Withheld,
    string ReasonCode,
    int? RulesVersion
)
{
    public static ReleaseDecision Deny(string reasonCode, IEnumerable<DataCategory> requested, int? rulesVersion = null) =>
        new(false, [], requested.Distinct().ToList(), reasonCode, rulesVersion);
}

/// <summary>
/// Article II in one function: confidential data goes only to registered members and partners of
/// the territory, for a purpose the rules in force name, category by category. Anything else, and
/// any doubt, is a denial.
/// </summary>
public static class ReleaseDecider
{
    public static ReleaseDecision Decide(
        SharingRulesVersion? rulesInForce,
        TerritoryCode territory,
        Recipient? recipient,
        SharingPurpose purpose,
        IReadOnlyCollection<DataCategory> requested,
        DateOnly on,
        IReadOnlySet<Coordination.Contracts.Supervision.CaseRestrictionReason>? restrictions = null
    )
    {
        try
        {
            if (requested.Count == 0)
                return ReleaseDecision.Deny(R.NothingRequested, requested);
            if (recipient is null)
                return ReleaseDecision.Deny(R.ThirdParty, requested);
            if (rulesInForce is null || rulesInForce.Territory != territory)
                return ReleaseDecision.Deny(R.NoRulesInForce, requested);
            if (recipient.Territory != territory)
                return ReleaseDecision.Deny(R.OtherTerritory, requested, rulesInForce.Version);
            if (!Enum.IsDefined(recipient.Role) || !Enum.IsDefined(purpose))
                return ReleaseDecision.Deny(R.UnknownRoleOrPurpose, requested, rulesInForce.Version);

            var granted = requested
                .Distinct()
                .Where(c => rulesInForce.Rules.Any(r => r.Grants(c, recipient.Role, purpose, on, restrictions)))
                .ToList();
            var withheld = requested.Distinct().Except(granted).ToList();
            // A restricted case whose categories an ordinary grant would cover: the denial says it is the restriction.
            var restricted =
                restrictions is { Count: > 0 } && requested.Any(c => rulesInForce.Rules.Any(r => r.Grants(c, recipient.Role, purpose, on)));
            return granted.Count == 0
                ? ReleaseDecision.Deny(restricted ? R.RestrictedCase : R.NoRuleGrants, requested, rulesInForce.Version)
                : new ReleaseDecision(true, granted, withheld, withheld.Count == 0 ? R.Granted : R.PartlyGranted, rulesInForce.Version);
        }
        catch (Exception)
        {
            // Unable to decide means no.
            return ReleaseDecision.Deny(R.DecisionError, requested);
        }
    }
}

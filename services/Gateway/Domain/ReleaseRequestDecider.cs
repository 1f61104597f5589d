using Coordination.Contracts.Gateway;
using Coordination.Contracts.Values;
using Coordination.ServiceDefaults.Security;
using R = Coordination.Contracts.Gateway.ReleaseReasonCodes;

namespace Coordination.Gateway.Domain;

/// <summary>
/// What the gateway knows, from its own tables and the broker, when it decides on one release
/// request. Nothing here comes from what the requesting service wrote about itself.
/// </summary>
/// <param name="Requester">The service proven by the lane the request arrived on.</param>
/// <param name="PayloadReadable">Whether the contents opened under the gateway's key, bound to the message id and purpose.</param>
/// <param name="Designations">The persons the vault holds among those the request names, with their designation's jurisdiction.</param>
/// <param name="AssignedPartners">The partners the gateway's assignment table shows on the named person's open case.</param>
/// <param name="Jurisdiction">The active jurisdiction of the directory the request names, in the request's territory; null if none.</param>
/// <param name="RetiredRecipients">The named recipients the directory shows retired.</param>
/// <param name="DesignatedBy">The agency the vault records as having designated the named person.</param>
/// <param name="Restrictions">The restrictions of the named person's case: the gateway's own, and any the request adds.</param>
public sealed record ReleaseFacts(
    string Requester,
    ReleaseConfidentialPayload Request,
    bool PayloadReadable,
    SharingRulesVersion? RulesInForce,
    DateOnly Today,
    IReadOnlyDictionary<PersonRef, string> Designations,
    IReadOnlySet<string> AssignedPartners,
    Jurisdiction? Jurisdiction = null,
    IReadOnlySet<string>? RetiredRecipients = null,
    string? DesignatedBy = null,
    IReadOnlySet<Coordination.Contracts.Supervision.CaseRestrictionReason>? Restrictions = null
);

/// <summary>
/// Article II for a release request, recipient by recipient: first what the requesting service's
/// duty lets it ask (the release policy), then who the recipient is, then the sharing rules in force.
/// Any doubt is a denial with its reason code.
/// </summary>
public static class ReleaseRequestDecider
{
    public static ReleaseDecision Decide(ReleasePolicy policy, ReleaseFacts facts, string recipientId, Recipient? recipient)
    {
        var request = facts.Request;
        var requested = request.Categories.Distinct().ToList();
        if (!facts.PayloadReadable)
            return ReleaseDecision.Deny(R.UnreadablePayload, requested);
        if (
            !ClosedList<SharingPurpose>.TryParse(request.Purpose, out var purpose)
            || policy.Find(facts.Requester, purpose) is not { Count: > 0 } grants
        )
            return ReleaseDecision.Deny(R.PurposeNotAllowedForRequester, requested);
        if (facts.RetiredRecipients?.Contains(recipientId) == true)
            return ReleaseDecision.Deny(R.RecipientRetired, requested);
        // One line of the requester's policy must allow the whole request. A denial is named by the line
        // made for exactly these categories if there is one (a misdirected receipt), else by the first.
        string? refusal = null;
        foreach (var grant in grants.OrderBy(g => g.Categories is { } listed && requested.All(listed.Contains) ? 0 : 1))
        {
            var thisRefusal = GrantRefusal(grant, facts, recipientId, recipient, requested);
            if (thisRefusal is null)
            {
                refusal = null;
                break;
            }
            refusal ??= thisRefusal;
        }
        if (refusal is not null)
            return ReleaseDecision.Deny(refusal, requested);
        if (recipient!.Territory != request.Territory)
            return ReleaseDecision.Deny(R.OtherTerritory, requested);
        // Identity and contact details come only from the vault: asked for a person it does not hold, they come from nowhere.
        if (
            request.Person is { } person
            && (requested.Contains(DataCategory.Identity) || requested.Contains(DataCategory.ContactDetails))
            && !facts.Designations.ContainsKey(person)
        )
            return ReleaseDecision.Deny(R.NoVaultEntry, requested);
        return ReleaseDecider.Decide(facts.RulesInForce, request.Territory, recipient, purpose, requested, facts.Today, facts.Restrictions);
    }

    private static string? GrantRefusal(
        ServiceGrant grant,
        ReleaseFacts facts,
        string recipientId,
        Recipient? recipient,
        IReadOnlyList<DataCategory> requested
    )
    {
        if (PersonsRefusal(grant, facts) is { } personsRefusal)
            return personsRefusal;
        if (recipient is null)
            return R.ThirdParty;
        // The duty's own recipients first: a court report misdirected to another court is named for what it is.
        if (RecipientRefusal(grant, facts, recipientId, recipient) is { } recipientRefusal)
            return recipientRefusal;
        if (grant.Categories is { } allowed && requested.Any(c => !allowed.Contains(c)))
            return R.CategoryNotAllowedForRequester;
        return null;
    }

    private static string? PersonsRefusal(ServiceGrant grant, ReleaseFacts facts)
    {
        var request = facts.Request;
        var people = request.People ?? [];
        switch (grant.Persons)
        {
            case PersonScope.None:
                return request.Person is null && people.Count == 0 ? null : R.PersonNotAllowedForRequester;
            case PersonScope.ThePersonOfTheCase:
                if (request.Person is not { } person || people.Count > 0)
                    return R.PersonNotAllowedForRequester;
                return person.Territory == request.Territory ? null : R.PersonOutsideTerritory;
            case PersonScope.PersonsOfTheJurisdiction:
                if (request.Person is not null)
                    return R.PersonNotAllowedForRequester;
                if (people.Any(p => p.Territory != request.Territory))
                    return R.PersonOutsideTerritory;
                if (facts.Jurisdiction is not { } jurisdiction)
                    return R.UnknownJurisdiction;
                foreach (var named in people)
                {
                    if (!facts.Designations.TryGetValue(named, out var designatedIn))
                        return R.NoVaultEntry;
                    if (designatedIn != jurisdiction.Id)
                        return R.PersonOutsideJurisdiction;
                }
                return null;
            default:
                return R.PersonNotAllowedForRequester;
        }
    }

    private static string? RecipientRefusal(ServiceGrant grant, ReleaseFacts facts, string recipientId, Recipient recipient) =>
        grant.Recipients switch
        {
            RecipientScope.PartnersAssignedToTheCase => facts.AssignedPartners.Contains(recipientId) ? null : R.NotAssignedToCase,
            RecipientScope.CourtsOfTheJurisdiction => facts.Jurisdiction is not { } jurisdiction ? R.UnknownJurisdiction
            : jurisdiction.ReportRecipients.Contains(recipientId) ? null
            : R.OutsideJurisdiction,
            RecipientScope.ProsecutorOfTheTerritory => recipient.Role == RecipientRole.Prosecutor
                ? null
                : R.RecipientNotAllowedForRequester,
            RecipientScope.DesignatingAuthorityOfTheCase => facts.DesignatedBy is { } designator && designator == recipientId
                ? null
                : R.NotDesignatingAuthority,
            _ => R.RecipientNotAllowedForRequester,
        };
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Coordination.Contracts.Gateway;
using Coordination.Contracts.Values;
using Coordination.Gateway.Domain;
using Coordination.Gateway.Persistence;
using Coordination.ServiceDefaults.Messaging;
using Coordination.ServiceDefaults.Outbox;
using Coordination.ServiceDefaults.Sealing;
using Coordination.ServiceDefaults.Security;
using Coordination.ServiceDefaults.Telemetry;
using Coordination.ServiceDefaults.Territories;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Coordination.Gateway.Application;

/// <summary>
/// The only door out. A service asks for confidential data to be delivered, on its own lane; per
/// recipient the gateway decides (the requester's release policy, then the sharing rules in force),
/// composes what is granted (identities from the vault only), and delivers it sealed for that
/// recipient, auditing every decision under the requester the lane proves.
/// </summary>
public sealed class ReleaseRequestHandler(
    ReleasePolicy policy,
    ReleaseDelivery delivery,
    AuditLog audit,
    SealingKeyStore keys,
    IdentityVault vault,
    AgencyDirectory agencies,
    TimeProvider clock
)
{
    /// <summary>
    /// How many times a decision that waits on the gateway's own copy of an assignment is tried again
    /// before it stands: Supervision publishes the assignment and the release in one commit, and the
    /// gateway may read the release first.
    /// </summary>
    public static readonly TimeSpan[] Deferrals =
    [
        TimeSpan.FromMilliseconds(50),
        TimeSpan.FromMilliseconds(200),
        TimeSpan.FromMilliseconds(500),
        TimeSpan.FromSeconds(1),
        TimeSpan.FromSeconds(2),
        TimeSpan.FromSeconds(4),
    ];

    /// <summary>
    /// Decides for every recipient and stages each delivery (or denial) with its audit record on
    /// <paramref name="unitOfWork"/>, the consumer's context; <see cref="CommitAsync"/> commits them.
    /// </summary>
    public async Task StageAsync(GatewayDbContext unitOfWork, string requester, ConsumeContext<ReleaseConfidentialPayload> context)
    {
        var request = context.Message;
        var ct = context.CancellationToken;
        var now = clock.GetUtcNow();

        var contents = Open(request, context.MessageId!.Value);
        var history = await unitOfWork.SharingRules.AsNoTracking().Where(v => v.Territory == request.Territory).ToListAsync(ct);
        var named = (request.Person is { } one ? [one] : Array.Empty<PersonRef>()).Concat(request.People ?? []).Distinct().ToList();
        // Held until the release commits: a purge in between makes this release fail and be retried without them.
        var designations = new Dictionary<PersonRef, DesignationDetails>();
        foreach (var person in named)
            if (person.Territory == request.Territory && await vault.OpenForReleaseAsync(person, ct) is { } details)
                designations[person] = details;
        var assigned = request.Person is { } casePerson
            ? (
                await unitOfWork
                    .PartnerAssignments.AsNoTracking()
                    .Where(a => a.Person == casePerson && a.UnassignedAt == null)
                    .Select(a => a.Partner)
                    .ToListAsync(ct)
            ).ToHashSet()
            : [];
        var designatedBy = request.Person is { } designated ? await vault.DesignatedByAsync(designated, ct) : null;
        // The directory as it stands now, read in this decision: an agency retired a moment ago receives nothing.
        var recipients = new List<(string RecipientId, Recipient? Recipient)>();
        var retired = new HashSet<string>();
        foreach (var recipientId in request.Recipients.Distinct())
        {
            var registered = await agencies.FindRegisteredAsync(recipientId, ct);
            if (registered is { Retired: true })
                retired.Add(recipientId);
            recipients.Add((recipientId, registered is { Retired: false } ? RecipientOf(registered) : null));
        }
        var jurisdiction = await agencies.JurisdictionAsync(request.Jurisdiction, request.Territory, ct);
        var facts = new ReleaseFacts(
            requester,
            request,
            contents is not null,
            SharingRulesVersion.InForce(history, now),
            TerritoryCalendar.Today(request.Territory, now),
            designations.ToDictionary(d => d.Key, d => d.Value.SentenceEnforcementJurisdiction),
            assigned,
            jurisdiction,
            retired,
            designatedBy,
            await RestrictionsAsync(unitOfWork, request, ct)
        );

        var decisions = recipients
            .Select(r => (r.RecipientId, r.Recipient, Decision: ReleaseRequestDecider.Decide(policy, facts, r.RecipientId, r.Recipient)))
            .ToList();
        // Only a partner of the case's territory can ever be assigned to it: nobody else is worth waiting for.
        if (
            decisions.Any(d => d.Decision.ReasonCode == ReleaseReasonCodes.NotAssignedToCase && d.Recipient?.Territory == request.Territory)
            && context.GetRetryAttempt() < Deferrals.Length
        )
            throw new DecisionDeferredException("the gateway's copy of the case's assignments may not have caught up yet");

        var listedRestrictions = await ListedRestrictionsAsync(unitOfWork, request.People ?? [], ct);
        foreach (var (recipientId, recipient, decision) in decisions)
        {
            var decisionId = NewId.NextGuid();
            using var activity = CoordinationTelemetry.Source.StartActivity("gateway release decision");
            activity?.SetTag("coordination.decision.id", decisionId.ToString());
            activity?.SetTag("coordination.decision.outcome", decision.ReasonCode);
            var composed = decision.Released
                ? ReleaseComposer.Compose(
                    decision.Granted,
                    contents!,
                    request.Person,
                    request.People ?? [],
                    designations,
                    IdentityWithheld(facts, recipient, listedRestrictions)
                )
                : null;
            delivery.Stage(requester, request, recipientId, decisionId, decision, composed, context);
        }
    }

    /// <summary>
    /// The restrictions of the named person's latest case, as Supervision's fact told the gateway, and
    /// the one the request itself names: whichever arrived first, a restricted case is treated so.
    /// </summary>
    private static async Task<IReadOnlySet<Contracts.Supervision.CaseRestrictionReason>> RestrictionsAsync(
        GatewayDbContext unitOfWork,
        ReleaseConfidentialPayload request,
        CancellationToken ct
    )
    {
        var restrictions = new HashSet<Contracts.Supervision.CaseRestrictionReason>();
        if (request.Restriction is { } named)
            restrictions.Add(named);
        if (request.Person is not { } person)
            return restrictions;
        var latest = await unitOfWork.KnownCases.AsNoTracking().Where(c => c.Person == person).ToListAsync(ct);
        var current = latest.Where(c => c.EndedAt is null).Concat(latest.OrderByDescending(c => c.OpenedAt ?? c.EndedAt)).FirstOrDefault();
        if (current?.Restriction is { } word && ClosedList<Contracts.Supervision.CaseRestrictionReason>.TryParse(word, out var known))
            restrictions.Add(known);
        return restrictions;
    }

    /// <summary>The restricted cases among the persons a list (a court report) names, by person.</summary>
    private static async Task<Dictionary<PersonRef, HashSet<Contracts.Supervision.CaseRestrictionReason>>> ListedRestrictionsAsync(
        GatewayDbContext unitOfWork,
        IReadOnlyList<PersonRef> people,
        CancellationToken ct
    )
    {
        if (people.Count == 0)
            return [];
        var named = people.Distinct().ToList();
        var restricted = await unitOfWork
            .KnownCases.AsNoTracking()
            .Where(c => named.Contains(c.Person) && c.Restriction != null)
            .Select(c => new { c.Person, c.Restriction })
            .ToListAsync(ct);
        return restricted
            .GroupBy(c => c.Person)
            .ToDictionary(
                g => g.Key,
                g =>
                    g.Select(c =>
                            ClosedList<Contracts.Supervision.CaseRestrictionReason>.TryParse(c.Restriction, out var r)
                                ? r
                                : (Contracts.Supervision.CaseRestrictionReason?)null
                        )
                        .OfType<Contracts.Supervision.CaseRestrictionReason>()
                        .ToHashSet()
            );
    }

    /// <summary>
    /// A restricted person named in a list keeps their line under the reference; their identity is
    /// re-attached only where a rule granting identity to the recipient's role names the restriction.
    /// </summary>
    private static IReadOnlySet<PersonRef> IdentityWithheld(
        ReleaseFacts facts,
        Recipient? recipient,
        Dictionary<PersonRef, HashSet<Contracts.Supervision.CaseRestrictionReason>> restricted
    )
    {
        if (restricted.Count == 0)
            return new HashSet<PersonRef>();
        if (recipient is null || facts.RulesInForce is null || !ClosedList<SharingPurpose>.TryParse(facts.Request.Purpose, out var purpose))
            return restricted.Keys.ToHashSet();
        return restricted
            .Where(r =>
                !facts.RulesInForce.Rules.Any(rule => rule.Grants(DataCategory.Identity, recipient.Role, purpose, facts.Today, r.Value))
            )
            .Select(r => r.Key)
            .ToHashSet();
    }

    /// <summary>One transaction: deliveries, outcomes, the audit entries linked under the append lock, and the inbox entry.</summary>
    public Task CommitAsync(CancellationToken cancellationToken) => audit.SaveAsync(cancellationToken);

    /// <summary>
    /// The contents sealed for the gateway, bound to this message's id and purpose; null when they do not open (undecidable: every
    /// recipient is denied).
    /// </summary>
    private JsonObject? Open(ReleaseConfidentialPayload request, Guid messageId)
    {
        try
        {
            using var ring = keys.RingFor(KeyOwners.Gateway);
            return JsonNode.Parse(PayloadSealer.Open(request.Payload, ring, request.Purpose, messageId)) as JsonObject;
        }
        catch (Exception ex) when (ex is SealingException or JsonException)
        {
            return null;
        }
    }

    /// <summary>A registered agency of one territory, with the role the sharing rules name; anyone else is a third party.</summary>
    private static Recipient? RecipientOf(Coordination.Gateway.Domain.RegisteredAgency agency) =>
        RoleOf(agency.Role) is { } recipientRole && agency.TerritorySet.Count == 1
            ? new Recipient(agency.Account, agency.TerritorySet.Single(), recipientRole)
            : null;

    private static RecipientRole? RoleOf(PrincipalRole role) =>
        role switch
        {
            PrincipalRole.Prosecutor => RecipientRole.Prosecutor,
            PrincipalRole.SentenceEnforcementCourt => RecipientRole.SentenceEnforcementCourt,
            PrincipalRole.ProbationService => RecipientRole.ProbationService,
            PrincipalRole.PenitentiaryAdministration => RecipientRole.PenitentiaryAdministration,
            PrincipalRole.StateService => RecipientRole.StateService,
            PrincipalRole.LocalAuthority => RecipientRole.LocalAuthority,
            PrincipalRole.Association => RecipientRole.Association,
            PrincipalRole.OtherPublicOrPrivatePerson => RecipientRole.OtherPublicOrPrivatePerson,
            _ => null,
        };
}

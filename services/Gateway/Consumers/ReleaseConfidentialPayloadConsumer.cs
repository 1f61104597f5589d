using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coordination.Contracts.Gateway;
using Coordination.Contracts.Values;
using Coordination.Gateway.Domain;
using Coordination.Gateway.Egress;
using Coordination.Gateway.Ingress;
using Coordination.Gateway.Persistence;
using Coordination.Gateway.Vault;
using Coordination.ServiceDefaults.Telemetry;
using Coordination.ServiceDefaults.Outbox;
using Coordination.ServiceDefaults.Sealing;
using Coordination.ServiceDefaults.Security;
using Coordination.ServiceDefaults.Territories;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Coordination.Gateway.Consumers;

/// <summary>
/// The only door out: a service asks for confidential data to be delivered; per recipient, the
/// sharing rules in force decide, only the granted categories are re-sealed for that recipient (the
/// identity re-attached from the vault only where granted), and every decision is audited.
/// </summary>
public sealed class ReleaseConfidentialPayloadConsumer(GatewayDbContext db, AuditLog audit, SealingKeyStore keys, IdentityVault vault, AgencyDirectory agencies,
    Microsoft.Extensions.Options.IOptions<GatewayOptions> options, TimeProvider clock)
    : IdempotentConsumer<ReleaseConfidentialPayload, GatewayDbContext>(db)
{
    public const string Owner = "gateway";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    protected override async Task Handle(ConsumeContext<ReleaseConfidentialPayload> context)
    {
        var request = context.Message;
        var messageId = context.MessageId!.Value;
        var now = clock.GetUtcNow();
        var requested = request.Categories.Distinct().ToList();
        var categoryWords = requested.Select(ClosedList<DataCategory>.WordOf).ToList();
        var references = new List<string> { $"release:{request.ReleaseId}" };
        if (request.Person is { } p) references.Add($"person:{p.Value}");
        // Identities re-attached for a payload about several persons: only of this territory, each named in the audit.
        var people = (request.People ?? []).Where(named => named.Territory == request.Territory).Distinct().ToList();
        references.AddRange(people.Select(named => $"person:{named.Value}"));

        JsonObject? contents = null;
        try
        {
            using var ring = keys.RingFor(Owner);
            contents = JsonNode.Parse(PayloadSealer.Open(request.Payload, ring, request.Purpose, messageId))?.AsObject();
        }
        catch (Exception ex) when (ex is SealingException or JsonException)
        {
            // Unreadable is undecidable: every recipient is denied.
        }

        var history = await Db.SharingRules.AsNoTracking().Where(v => v.Territory == request.Territory).ToListAsync(context.CancellationToken);
        var rules = SharingRulesVersion.InForce(history, now);
        ClosedList<SharingPurpose>.TryParse(request.Purpose, out var purpose);

        foreach (var recipientId in request.Recipients.Distinct())
        {
            var decisionId = NewId.NextGuid();
            using var activity = CoordinationTelemetry.Source.StartActivity("gateway release decision");
            activity?.SetTag("coordination.decision.id", decisionId.ToString());
            var decision = contents is null
                ? ReleaseDecision.Deny("unreadable-payload", requested)
                : OutsideJurisdiction(request, purpose, recipientId) is { } refusal
                    ? ReleaseDecision.Deny(refusal, requested)
                    : ReleaseDecider.Decide(rules, request.Territory, RecipientOf(recipientId, request.Territory), purpose, requested, TerritoryCalendar.Today(request.Territory, now));

            if (decision.Released)
            {
                var released = new JsonObject();
                foreach (var category in decision.Granted)
                {
                    var word = ClosedList<DataCategory>.WordOf(category);
                    if (contents!.TryGetPropertyValue(word, out var value)) released[word] = value?.DeepClone();
                }
                if (request.Person is { } person && (decision.Granted.Contains(DataCategory.Identity) || decision.Granted.Contains(DataCategory.ContactDetails))
                    && await vault.OpenForReleaseAsync(person, context.CancellationToken) is { } details)
                {
                    if (decision.Granted.Contains(DataCategory.Identity)) released["identity"] = JsonSerializer.SerializeToNode(details.Identity, Json);
                    if (decision.Granted.Contains(DataCategory.ContactDetails)) released["contact-details"] = JsonSerializer.SerializeToNode(details.Contact, Json);
                }
                // The persons whose identity the delivery carries: listed on it, so that a purge finds it.
                var identified = new List<string>();
                if (people.Count > 0 && decision.Granted.Contains(DataCategory.Identity))
                {
                    var identities = new JsonObject();
                    foreach (var named in people)
                        if (await vault.OpenForReleaseAsync(named, context.CancellationToken) is { } found)
                        {
                            identities[named.Value] = JsonSerializer.SerializeToNode(found.Identity, Json);
                            identified.Add(named.Value);
                        }
                    released["identities"] = identities;
                }
                var deliveryId = NewId.NextGuid();
                if (ServiceNameOf(recipientId) is { } service)
                {
                    // A service endpoint: on the bus, through the outbox, sealed for that service alone.
                    Db.PublishOnCommit(new ConfidentialPayloadDelivered
                    {
                        ReleaseId = request.ReleaseId,
                        DecisionId = decisionId,
                        Recipient = recipientId,
                        Purpose = request.Purpose,
                        Categories = decision.Granted,
                        Person = request.Person,
                        Payload = PayloadSealer.Seal(JsonSerializer.SerializeToUtf8Bytes(released, Json), keys.CurrentKeyOf(service), request.Purpose, deliveryId),
                    }, context, messageId: deliveryId);
                }
                else
                {
                    var sealedForRecipient = PayloadSealer.Seal(JsonSerializer.SerializeToUtf8Bytes(released, Json), keys.CurrentKeyOf(recipientId), request.Purpose, deliveryId);
                    Db.Set<AgencyDelivery>().Add(new AgencyDelivery
                    {
                        Id = deliveryId,
                        Agency = recipientId,
                        Type = DeliveryTypeOf(purpose),
                        CreatedAt = now,
                        Body = JsonSerializer.Serialize(new
                        {
                            deliveryId, request.ReleaseId, decisionId, purpose = request.Purpose, territory = request.Territory.Value,
                            person = request.Person?.Value, people = identified, categories = decision.Granted.Select(ClosedList<DataCategory>.WordOf), payload = sealedForRecipient,
                        }, Json),
                    });
                }
            }
            activity?.SetTag("coordination.decision.outcome", decision.ReasonCode);
            // The asking service learns the outcome (ids and a reason code only), so that nothing it sent is silently lost.
            if (decision.Released)
                Db.PublishOnCommit(new ConfidentialPayloadReleased
                {
                    ReleaseId = request.ReleaseId, DecisionId = decisionId, Recipient = recipientId, Categories = decision.Granted, RulesVersion = decision.RulesVersion ?? 0,
                }, context);
            else
                Db.PublishOnCommit(new ConfidentialPayloadDenied { ReleaseId = request.ReleaseId, DecisionId = decisionId, Recipient = recipientId, ReasonCode = decision.ReasonCode }, context);
            audit.Stage(new AuditRecord(decisionId, decision.Released ? AuditKind.Released : AuditKind.Denied, request.RequestedBy ?? "unnamed-service",
                recipientId, request.Purpose, decision.Released ? decision.Granted.Select(ClosedList<DataCategory>.WordOf).ToList() : categoryWords,
                references, decision.RulesVersion, decision.Released ? "released" : "denied", decision.ReasonCode));
        }
    }

    /// <summary>What an agency finds in its inbox, named by what the release is for.</summary>
    public static string DeliveryTypeOf(SharingPurpose purpose) => purpose switch
    {
        SharingPurpose.CommunitySupervision => "supervision.case-information",
        SharingPurpose.CourtReporting => "court-reporting.report",
        SharingPurpose.Art41Opinion => "opinions.opinion",
        SharingPurpose.PenalPolicy => "briefings.penal-policy",
        _ => "gateway.release",
    };

    /// <summary>One transaction: deliveries, the audit entries linked under the append lock, and the inbox entry.</summary>
    protected override Task CommitAsync(CancellationToken cancellationToken) => audit.SaveAsync(cancellationToken);

    /// <summary>
    /// Court reports (4°) belong to one sentence-enforcement jurisdiction: only its JAP and SPIP may
    /// receive one, whatever the territory's rules grant to those roles elsewhere.
    /// </summary>
    private static string? OutsideJurisdiction(ReleaseConfidentialPayload request, SharingPurpose purpose, string recipientId)
    {
        if (purpose != SharingPurpose.CourtReporting && request.Jurisdiction is null) return null;
        if (Jurisdictions.Find(request.Jurisdiction) is not { } jurisdiction || jurisdiction.Territory != request.Territory) return "unknown-jurisdiction";
        return jurisdiction.ReportRecipients.Contains(recipientId) ? null : "outside-jurisdiction";
    }

    /// <summary>A registered agency, or a platform service registered as a recipient; anyone else is a third party.</summary>
    private Recipient? RecipientOf(string recipientId, TerritoryCode territory)
    {
        if (ServiceNameOf(recipientId) is { } service)
            return options.Value.ServiceRecipients.TryGetValue(service, out var word) && ClosedList<RecipientRole>.TryParse(word, out var serviceRole)
                ? new Recipient(recipientId, territory, serviceRole) // a platform service serves every territory it is deployed for
                : null;
        return agencies.Find(recipientId) is { Role: { } role } agency && RoleOf(role) is { } recipientRole
            ? new Recipient(recipientId, agency.Territories.Single(), recipientRole)
            : null;
    }

    private string? ServiceNameOf(string recipientId) =>
        recipientId.StartsWith("service:", StringComparison.Ordinal) && options.Value.ServiceRecipients.ContainsKey(recipientId["service:".Length..])
            ? recipientId["service:".Length..]
            : null;

    private static RecipientRole? RoleOf(PrincipalRole role) => role switch
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

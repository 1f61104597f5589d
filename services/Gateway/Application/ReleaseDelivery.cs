using System.Text.Json;
using System.Text.Json.Nodes;
using Coordination.Contracts.Gateway;
using Coordination.Contracts.Values;
using Coordination.Gateway.Application.Ingress;
using Coordination.Gateway.Domain;
using Coordination.Gateway.Persistence;
using Coordination.ServiceDefaults.Sealing;
using MassTransit;

namespace Coordination.Gateway.Application;

/// <summary>
/// The last step of a release: the granted payload sealed for its recipient into that agency's
/// mailbox, the outcome told to the requesting service, and the decision appended to the audit log,
/// all staged on the gateway's context so that they commit together.
/// </summary>
public sealed class ReleaseDelivery(GatewayDbContext db, AuditLog audit, SealingKeyStore keys, TimeProvider clock)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public void Stage(
        string requester,
        ReleaseConfidentialPayload request,
        string recipientId,
        Guid decisionId,
        ReleaseDecision decision,
        ComposedRelease? composed,
        ConsumeContext cause
    )
    {
        // An agency that has registered no key yet gets nothing readable: the release is held for it
        // (sealed for the gateway), the requester is told no-recipient-key, and it is delivered when the agency registers one.
        var recipientKey = decision.Released ? keys.TryCurrentKeyOf(recipientId) : null;
        var held = decision.Released && recipientKey is null;
        if (decision.Released)
        {
            var deliveryId = NewId.NextGuid();
            var sealedPayload = PayloadSealer.Seal(
                JsonSerializer.SerializeToUtf8Bytes(composed!.Contents, Json),
                recipientKey ?? keys.CurrentKeyOf(KeyOwners.Gateway),
                request.Purpose,
                deliveryId
            );
            ClosedList<SharingPurpose>.TryParse(request.Purpose, out var purpose);
            var body = JsonSerializer
                .SerializeToNode(
                    new
                    {
                        deliveryId,
                        request.ReleaseId,
                        decisionId,
                        purpose = request.Purpose,
                        territory = request.Territory.Value,
                        person = request.Person?.Value,
                        // The persons whose identity the delivery carries: listed on it, so that a purge finds it.
                        people = composed.Identified.Where(p => p != request.Person).Select(p => p.Value),
                        categories = decision.Granted.Select(ClosedList<DataCategory>.WordOf),
                        payload = sealedPayload,
                    },
                    Json
                )!
                .AsObject();
            if (held)
                body[HeldDeliveries.HeldForField] = JsonSerializer.SerializeToNode(
                    new { requester, rulesVersion = decision.RulesVersion },
                    Json
                );
            db.Set<AgencyDelivery>()
                .Add(
                    new AgencyDelivery
                    {
                        Id = deliveryId,
                        Agency = recipientId,
                        Type = held
                            ? HeldDeliveries.Held(DeliveryTypeOf(purpose, request.Notice))
                            : DeliveryTypeOf(purpose, request.Notice),
                        CreatedAt = clock.GetUtcNow(),
                        Body = body.ToJsonString(Json),
                    }
                );
            if (!held)
                db.PublishOnCommit(
                    new ConfidentialPayloadReleased
                    {
                        ReleaseId = request.ReleaseId,
                        DecisionId = decisionId,
                        Recipient = recipientId,
                        Categories = decision.Granted,
                        RulesVersion = decision.RulesVersion ?? 0,
                    },
                    cause
                );
        }
        var reasonCode = held ? ReleaseReasonCodes.NoRecipientKey : decision.ReasonCode;
        if (!decision.Released || held)
        {
            // The asking service learns the outcome (ids and a reason code only), so that nothing it sent is silently lost.
            db.PublishOnCommit(
                new ConfidentialPayloadDenied
                {
                    ReleaseId = request.ReleaseId,
                    DecisionId = decisionId,
                    Recipient = recipientId,
                    ReasonCode = reasonCode,
                },
                cause
            );
        }

        var references = new List<string> { $"release:{request.ReleaseId}" };
        if (request.Person is { } person)
            references.Add($"person:{person.Value}");
        references.AddRange((request.People ?? []).Distinct().Select(named => $"person:{named.Value}"));
        var categories = decision.Released ? decision.Granted : request.Categories.Distinct().ToList();
        // The audit names the requester the lane proved, never the one the request wrote.
        var delivered = decision.Released && !held;
        audit.Stage(
            new AuditRecord(
                decisionId,
                delivered ? AuditKind.Released : AuditKind.Denied,
                requester,
                recipientId,
                request.Purpose,
                categories.Select(ClosedList<DataCategory>.WordOf).ToList(),
                references,
                decision.RulesVersion,
                delivered ? "released" : "denied",
                reasonCode
            )
        );
    }

    /// <summary>What an agency finds in its inbox, named by what the release is for, or by the notice it is.</summary>
    public static string DeliveryTypeOf(SharingPurpose purpose, CaseNotice? notice = null) =>
        notice switch
        {
            CaseNotice.DesignationAccepted => "supervision.designation-accepted",
            CaseNotice.CaseEnded => "supervision.case-ended",
            _ => DeliveryTypeOf(purpose),
        };

    public static string DeliveryTypeOf(SharingPurpose purpose) =>
        purpose switch
        {
            SharingPurpose.CommunitySupervision => "supervision.case-information",
            SharingPurpose.CourtReporting => "court-reporting.report",
            SharingPurpose.Art41Opinion => "opinions.opinion",
            SharingPurpose.PenalPolicy => "briefings.penal-policy",
            _ => "gateway.release",
        };
}

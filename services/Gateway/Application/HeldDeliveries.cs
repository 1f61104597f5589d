using System.Text.Json;
using System.Text.Json.Nodes;
using Coordination.Contracts.Gateway;
using Coordination.Contracts.Values;
using Coordination.Gateway.Application.Ingress;
using Coordination.Gateway.Domain;
using Coordination.Gateway.Persistence;
using Coordination.ServiceDefaults.Sealing;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Coordination.Gateway.Application;

/// <summary>
/// What waits for an agency that has registered no sealing key: the delivery it would have got, in
/// its mailbox table as usual, but typed <c>held:&lt;type&gt;</c> and with its payload sealed for the
/// gateway's own key, so that neither the table nor the mailbox ever shows it readable. When the
/// agency registers a key, each is opened, sealed again for that key and released, in the same
/// transaction as the registration's audit entry.
/// </summary>
/// <remarks>
/// An <see cref="AgencyDelivery"/> row rather than a table of its own: no gateway schema change (one
/// is under way on another branch), the held payload keeps the id, body and order the delivery will
/// have, and the two readers of the table (the RabbitMQ pusher, the HTTP mailbox) skip it by one
/// prefix. Nothing is lost, nothing is readable in the meantime.
/// </remarks>
public static class HeldDeliveries
{
    public const string Prefix = "held:";

    /// <summary>Only on a held row: who asked and under which rules, for the audit entry of its eventual release; removed then.</summary>
    public const string HeldForField = "heldFor";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string Held(string type) => Prefix + type;

    public static bool IsHeld(string type) => type.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>
    /// Seals every delivery held for <paramref name="agency"/> again for <paramref name="key"/> and
    /// releases it, staging one audit entry per released payload; the caller commits. Returns how many.
    /// </summary>
    public static async Task<int> ReleaseAsync(
        GatewayDbContext db,
        AuditLog audit,
        SealingKeyStore keys,
        string agency,
        RecipientKey key,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        var held = await db.Set<AgencyDelivery>()
            .Where(d => d.Agency == agency && d.Type.StartsWith(Prefix))
            .OrderBy(d => d.CreatedAt)
            .ToListAsync(cancellationToken);
        if (held.Count == 0)
            return 0;
        using var gateway = keys.RingFor(KeyOwners.Gateway);
        foreach (var delivery in held)
        {
            var type = delivery.Type[Prefix.Length..];
            var body = JsonNode.Parse(delivery.Body)!.AsObject();
            // A refusal notice binds its sealed original to the decision; a release binds its payload to the delivery.
            var (field, messageId) =
                type == Coordination.Gateway.Application.Ingress.IngressProcessor.RejectionType
                    ? ("original", body["decisionId"]!.GetValue<Guid>())
                    : ("payload", delivery.Id);
            var sealedForGateway = body[field].Deserialize<SealedPayload>(Json)!;
            var plaintext = PayloadSealer.Open(sealedForGateway, gateway, sealedForGateway.Purpose, messageId);
            body[field] = JsonSerializer.SerializeToNode(PayloadSealer.Seal(plaintext, key, sealedForGateway.Purpose, messageId), Json);
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(plaintext);
            var heldFor = body[HeldForField]?.AsObject();
            body.Remove(HeldForField);

            delivery.Type = type;
            delivery.Body = body.ToJsonString(Json);
            // Entered the mailbox now: an agency reading it with ?since= its last visit finds it.
            delivery.CreatedAt = now;
            if (heldFor is not null)
                StageReleased(db, audit, agency, delivery, body, heldFor);
        }
        return held.Count;
    }

    private static void StageReleased(
        GatewayDbContext db,
        AuditLog audit,
        string agency,
        AgencyDelivery delivery,
        JsonObject body,
        JsonObject heldFor
    )
    {
        var decisionId = NewId.NextGuid();
        var releaseId = body["releaseId"]!.GetValue<Guid>();
        var words = body["categories"]?.AsArray().Select(c => c!.GetValue<string>()).ToList() ?? [];
        var rulesVersion = heldFor["rulesVersion"]?.GetValue<int?>();
        var references = new List<string> { $"release:{releaseId}", $"delivery:{delivery.Id}", $"held-decision:{body["decisionId"]}" };
        if (body["person"]?.GetValue<string>() is { } person)
            references.Add($"person:{person}");
        references.AddRange((body["people"]?.AsArray() ?? []).Select(p => $"person:{p!.GetValue<string>()}"));
        audit.Stage(
            new AuditRecord(
                decisionId,
                AuditKind.Released,
                heldFor["requester"]!.GetValue<string>(),
                agency,
                body["purpose"]!.GetValue<string>(),
                words,
                references.Distinct().ToList(),
                rulesVersion,
                "released",
                ReleaseReasonCodes.ReleasedAfterKeyRegistration
            )
        );
        db.PublishOnCommit(
            new ConfidentialPayloadReleased
            {
                ReleaseId = releaseId,
                DecisionId = decisionId,
                Recipient = agency,
                RulesVersion = rulesVersion ?? 0,
                Categories = words
                    .Select(w => ClosedList<DataCategory>.TryParse(w, out var category) ? category : (DataCategory?)null)
                    .OfType<DataCategory>()
                    .ToList(),
            }
        );
    }
}

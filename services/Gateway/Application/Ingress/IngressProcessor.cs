using System.Diagnostics;
using System.Text.Json;
using Coordination.Contracts;
using Coordination.Contracts.Gateway;
using Coordination.Contracts.Values;
using Coordination.Gateway.Application;
using Coordination.Gateway.Application.Ingress.Types;
using Coordination.Gateway.Domain;
using Coordination.Gateway.Persistence;
using Coordination.ServiceDefaults.Sealing;
using Coordination.ServiceDefaults.Security;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Coordination.Gateway.Application.Ingress;

/// <summary>The sender as the transport proves it (token or broker account), never as the payload claims.</summary>
public sealed record AgencySource(string Agency, PrincipalRole? Role, IReadOnlySet<TerritoryCode> Territories);

public sealed record IngressOutcome(
    bool Accepted,
    Guid DecisionId,
    Guid? MessageId,
    string ReasonCode,
    string Reason,
    IReadOnlyList<string> Errors,
    bool Duplicate = false
);

/// <summary>
/// One agency message through the gateway's door: size, envelope, once per message id, type,
/// territory, sender role, payload schema; then the type's own content rules and forward
/// (<see cref="IngressType"/>). Every decision, accept or reject, is appended to the audit log.
/// </summary>
public sealed class IngressProcessor(
    GatewayDbContext db,
    AuditLog audit,
    IngressSchemas schemas,
    IngressTypes types,
    TimeProvider clock,
    SealingKeyStore keys
)
{
    public const int MaxBytes = 64 * 1024;
    public const string Accepted = "accepted";

    /// <summary>The audit's name for a sender whose account is no agency id: what it claimed is not written anywhere.</summary>
    public const string Unidentified = "unidentified";

    /// <summary>Only a type the door knows is named in the audit of a message it could not attribute.</summary>
    public static string? KnownTypeOrNull(string? type) =>
        type is not null && Contracts.Gateway.IngressTypeNames.All.Contains(type) ? type : null;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// A property named twice is refused: the schema library and the door's own reads took different
    /// ones (the schema checked one "type", GetProperty read the other), so a schema-valid envelope
    /// could carry a value of any JSON type past it.
    /// </summary>
    private static readonly JsonDocumentOptions ParseOptions = new() { AllowDuplicateProperties = false };

    public async Task<IngressOutcome> ProcessAsync(
        AgencySource source,
        ReadOnlyMemory<byte> body,
        string? declaredType,
        CancellationToken cancellationToken
    )
    {
        if (body.Length > MaxBytes)
            return await RejectAsync(
                body,
                source,
                null,
                declaredType,
                ReasonCodes.TooLarge,
                $"A message is at most {MaxBytes / 1024} KB.",
                [],
                cancellationToken
            );

        JsonElement envelope;
        try
        {
            envelope = JsonDocument.Parse(body, ParseOptions).RootElement.Clone();
            EveryStringDecodes(envelope);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return await RejectAsync(
                body,
                source,
                null,
                declaredType,
                ReasonCodes.MalformedMessage,
                "The message is not well-formed JSON, names a property twice, or holds text that is not Unicode.",
                [],
                cancellationToken
            );
        }

        var envelopeErrors = envelope.ValueKind == JsonValueKind.Object ? schemas.EnvelopeErrors(envelope) : ["/: type"];
        // TryGetGuid throws, rather than answers false, on a messageId that is no string (a number, null, an object).
        Guid? messageId =
            envelope.ValueKind == JsonValueKind.Object
            && envelope.TryGetProperty("messageId", out var id)
            && id.ValueKind == JsonValueKind.String
            && id.TryGetGuid(out var parsedId)
                ? parsedId
                : null;
        if (envelopeErrors.Count > 0)
            return await RejectAsync(
                body,
                source,
                messageId,
                declaredType,
                ReasonCodes.InvalidEnvelope,
                "The envelope does not match the published schema.",
                envelopeErrors,
                cancellationToken
            );

        var typeName = envelope.GetProperty("type").GetString()!;
        // The schema says "integer"; the door reads an Int32: a number past it is a refusal, not a crash.
        if (!envelope.GetProperty("schemaVersion").TryGetInt32(out var version))
            return await RejectAsync(
                body,
                source,
                messageId,
                declaredType,
                ReasonCodes.InvalidEnvelope,
                "The schema version is not one the gateway knows.",
                ["/schemaVersion"],
                cancellationToken
            );
        if (declaredType is not null && declaredType != typeName)
            return await RejectAsync(
                body,
                source,
                messageId,
                typeName,
                ReasonCodes.TypeMismatch,
                "The type in the address and in the envelope differ.",
                [],
                cancellationToken
            );

        var previous = await db
            .IngressRecords.AsNoTracking()
            .SingleOrDefaultAsync(r => r.Agency == source.Agency && r.MessageId == messageId, cancellationToken);
        if (previous is not null)
            return new IngressOutcome(
                previous.Accepted,
                previous.DecisionId,
                messageId,
                previous.ReasonCode,
                "Already handled: the first answer stands.",
                [],
                Duplicate: true
            );

        if (types.Find(typeName) is not { } type || type.SchemaVersion != version || !schemas.Has(typeName, version))
            return await RejectAsync(
                body,
                source,
                messageId,
                typeName,
                ReasonCodes.UnknownType,
                "This type and schema version are not accepted.",
                [],
                cancellationToken
            );
        if (!TerritoryCode.TryParse(envelope.GetProperty("territory").GetString(), out var territory))
            return await RejectAsync(
                body,
                source,
                messageId,
                typeName,
                ReasonCodes.UnknownTerritory,
                "The territory must be an INSEE département code.",
                [],
                cancellationToken
            );
        if (!source.Territories.Contains(territory))
            return await RejectAsync(
                body,
                source,
                messageId,
                typeName,
                ReasonCodes.TerritoryNotAllowed,
                "This agency is not registered for that territory.",
                [],
                cancellationToken
            );
        if (InboundRules.Refusal(type, source.Role) is { } refusal)
            return await RejectAsync(body, source, messageId, typeName, refusal.ReasonCode, refusal.Reason, [], cancellationToken);

        var payload = envelope.GetProperty("payload");
        var payloadErrors = schemas.PayloadErrors(typeName, version, payload);
        if (payloadErrors.Count > 0)
            return await RejectAsync(
                body,
                source,
                messageId,
                typeName,
                ReasonCodes.InvalidPayload,
                "The payload does not match the published schema of its type.",
                payloadErrors,
                cancellationToken
            );

        var message = new IngressMessage(source, territory, payload, messageId!.Value);
        Forwarded forwarded;
        try
        {
            if (await type.RefusalOfContentAsync(message, cancellationToken) is { } refused)
                return await RejectAsync(body, source, messageId, typeName, refused.ReasonCode, refused.Reason, [], cancellationToken);
            forwarded = await type.ForwardAsync(message, cancellationToken);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or OverflowException or ArgumentException)
        {
            // The schema let through a value the platform's types do not read (a date with a space for
            // its 'T', a number past its type): bad input, answered as such, and nothing staged kept.
            db.ChangeTracker.Clear();
            return await RejectAsync(
                body,
                source,
                messageId,
                typeName,
                ReasonCodes.InvalidPayload,
                "A value does not read as its published format.",
                [],
                cancellationToken
            );
        }
        var decisionId = NewId.NextGuid();
        Activity.Current?.SetTag("coordination.decision.id", decisionId.ToString());
        db.IngressRecords.Add(
            new IngressRecord
            {
                Agency = source.Agency,
                MessageId = message.MessageId,
                Type = typeName,
                Accepted = true,
                ReasonCode = Accepted,
                DecisionId = decisionId,
                ReceivedAt = clock.GetUtcNow(),
            }
        );
        try
        {
            await audit.DecideAsync(
                new AuditRecord(
                    decisionId,
                    AuditKind.IngressAccepted,
                    source.Agency,
                    forwarded.Recipient,
                    null,
                    [],
                    [$"message:{messageId}", $"type:{typeName}", $"territory:{territory.Value}", .. forwarded.References],
                    null,
                    Accepted,
                    Accepted
                ),
                cancellationToken
            );
        }
        catch (DbUpdateException)
        {
            // The same message, sent twice at once: the first one committed; answer as it was answered.
            db.ChangeTracker.Clear();
            var first = await db
                .IngressRecords.AsNoTracking()
                .SingleOrDefaultAsync(r => r.Agency == source.Agency && r.MessageId == messageId, cancellationToken);
            // Otherwise two messages raced for one vault entry: undecided, so retried (AMQP requeues), and decided then on what committed.
            if (first is null)
                throw;
            return new IngressOutcome(
                first.Accepted,
                first.DecisionId,
                messageId,
                first.ReasonCode,
                "Already handled: the first answer stands.",
                [],
                Duplicate: true
            );
        }
        return new IngressOutcome(true, decisionId, messageId, Accepted, "Accepted and forwarded.", []);
    }

    /// <summary>
    /// JsonDocument checks a string's bytes only when the string is read: invalid UTF-8 and an escaped
    /// lone surrogate ("\ud800") parse, then throw InvalidOperationException wherever they are read
    /// (the schema library, the typed payload, the message id). Read every name and string once, here.
    /// The parser's depth limit (64) bounds the recursion.
    /// </summary>
    private static void EveryStringDecodes(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                _ = element.GetString();
                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    _ = property.Name;
                    EveryStringDecodes(property.Value);
                }
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                    EveryStringDecodes(item);
                break;
        }
    }

    /// <summary>A message with no user_id, or one of an account no agency is registered under: audited, answered to no one.</summary>
    public Task<IngressOutcome> RejectUnidentifiedAsync(AgencySource source, string? type, CancellationToken cancellationToken) =>
        RejectAsync(
            original: null,
            source,
            null,
            type,
            ReasonCodes.UnidentifiedSource,
            "The sender is not a registered agency.",
            [],
            cancellationToken
        );

    /// <summary>
    /// A token whose role or territories are not the directory's for its agency: audited, and answered
    /// only on the HTTP request, not in the agency's mailbox (the sender is not proven to be that agency).
    /// </summary>
    public Task<IngressOutcome> RejectMismatchedSourceAsync(AgencySource registered, string? type, CancellationToken cancellationToken) =>
        RejectAsync(
            original: null,
            registered,
            null,
            type,
            ReasonCodes.AgencyMismatch,
            "The credential's role or territories are not those the agency is registered with.",
            [],
            cancellationToken
        );

    /// <param name="original">The message as received, returned sealed to its sender; null when there is no one to answer.</param>
    private async Task<IngressOutcome> RejectAsync(
        ReadOnlyMemory<byte>? original,
        AgencySource source,
        Guid? messageId,
        string? type,
        string reasonCode,
        string reason,
        IReadOnlyList<string> errors,
        CancellationToken cancellationToken
    )
    {
        var decisionId = NewId.NextGuid();
        Activity.Current?.SetTag("coordination.decision.id", decisionId.ToString());
        // The sender chose this type (address, routing key, envelope) and its length: one longer than any
        // type's column is no type, and recorded as unknown rather than failing the rejection itself.
        if (type is { Length: > IngressRecord.TypeMaxLength })
            type = null;
        if (
            messageId is { } knownId
            && type is not null
            && !RetryableRefusals.Contains(reasonCode)
            && !await db.IngressRecords.AnyAsync(r => r.Agency == source.Agency && r.MessageId == knownId, cancellationToken)
        )
            db.IngressRecords.Add(
                new IngressRecord
                {
                    Agency = source.Agency,
                    MessageId = knownId,
                    Type = type,
                    Accepted = false,
                    ReasonCode = reasonCode,
                    DecisionId = decisionId,
                    ReceivedAt = clock.GetUtcNow(),
                }
            );
        if (original is { } received)
            StageRejectionNotice(source, received, messageId, type, reasonCode, reason, decisionId);
        await audit.DecideAsync(
            new AuditRecord(
                decisionId,
                AuditKind.IngressRejected,
                source.Agency,
                null,
                null,
                [],
                [messageId is null ? "message:unreadable" : $"message:{messageId}", $"type:{type ?? "unknown"}"],
                null,
                "rejected",
                reasonCode
            ),
            cancellationToken
        );
        return new IngressOutcome(false, decisionId, messageId, reasonCode, reason, errors);
    }

    /// <summary>
    /// Not final, so not recorded against the message id: the door may not yet know of an assignment
    /// just made, or of a case just ended; the same message may come again.
    /// </summary>
    private static readonly HashSet<string> RetryableRefusals = [ReasonCodes.NotAssignedToCase, ReasonCodes.DesignationConflict];

    public const string RejectedMessagePurpose = "rejected-message";
    public const string RejectionType = "gateway.rejected";

    /// <summary>
    /// The answer to a refused message, committed with the decision: its reason, and the message as
    /// received sealed for the sender's own key, kept where the sender alone reads it (its rejection
    /// queue on RabbitMQ, its mailbox over HTTP). The platform itself keeps nothing readable of it.
    /// </summary>
    private void StageRejectionNotice(
        AgencySource source,
        ReadOnlyMemory<byte> original,
        Guid? messageId,
        string? type,
        string reasonCode,
        string reason,
        Guid decisionId
    )
    {
        var senderKey = keys.TryCurrentKeyOf(source.Agency);
        var notice = new IngressRejected
        {
            MessageId = messageId ?? Guid.Empty,
            MessageType = type ?? "unknown",
            SourceAgency = source.Agency,
            ReasonCode = reasonCode,
            Reason = reason,
            RejectedAt = clock.GetUtcNow(),
            DecisionId = decisionId,
            // No key registered yet: held sealed for the gateway, answered once the sender registers one
            // (Coordination.Gateway.Application.HeldDeliveries).
            Original = PayloadSealer.Seal(
                original.Span,
                senderKey ?? keys.CurrentKeyOf(KeyOwners.Gateway),
                RejectedMessagePurpose,
                decisionId
            ),
        };
        db.Set<Coordination.Gateway.Domain.AgencyDelivery>()
            .Add(
                new Coordination.Gateway.Domain.AgencyDelivery
                {
                    Id = NewId.NextGuid(),
                    Agency = source.Agency,
                    Type = senderKey is null ? HeldDeliveries.Held(RejectionType) : RejectionType,
                    CreatedAt = notice.RejectedAt,
                    Body = JsonSerializer.Serialize(notice, Json),
                }
            );
    }
}

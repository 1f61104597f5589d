using System.Diagnostics;
using System.Text.Json;
using Coordination.Contracts;
using Coordination.Contracts.Briefings;
using Coordination.Contracts.Opinions;
using Coordination.Contracts.Values;
using Coordination.Gateway.Domain;
using Coordination.Gateway.Persistence;
using Coordination.Gateway.Vault;
using Coordination.Contracts.Supervision;
using Coordination.Contracts.Gateway;
using Coordination.ServiceDefaults.Sealing;
using Coordination.ServiceDefaults.Security;
using Coordination.ServiceDefaults.Territories;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Coordination.Gateway.Ingress;

/// <summary>The sender as the transport proves it (token or broker account), never as the payload claims.</summary>
public sealed record AgencySource(string Agency, PrincipalRole? Role, IReadOnlySet<TerritoryCode> Territories);

public sealed record IngressOutcome(bool Accepted, Guid DecisionId, Guid? MessageId, string ReasonCode, string Reason, IReadOnlyList<string> Errors, bool Duplicate = false);

/// <summary>
/// One agency message through the gateway's door: size, envelope, type, territory, inbound rules,
/// payload schema, once per message id; then forwarded inside under the platform's own contracts.
/// Every decision, accept or reject, is appended to the audit log.
/// </summary>
public sealed class IngressProcessor(GatewayDbContext db, AuditLog audit, IngressSchemas schemas, TimeProvider clock, IdentityVault vault, SealingKeyStore keys)
{
    public const int MaxBytes = 64 * 1024;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<IngressOutcome> ProcessAsync(AgencySource source, ReadOnlyMemory<byte> body, string? declaredType, CancellationToken cancellationToken)
    {
        if (body.Length > MaxBytes)
            return await RejectAsync(body, source, null, declaredType, "too-large", $"A message is at most {MaxBytes / 1024} KB.", [], cancellationToken);

        JsonElement envelope;
        try { envelope = JsonDocument.Parse(body).RootElement.Clone(); }
        catch (JsonException) { return await RejectAsync(body, source, null, declaredType, ReasonCodes.MalformedMessage, "The message is not well-formed JSON.", [], cancellationToken); }

        var envelopeErrors = envelope.ValueKind == JsonValueKind.Object ? schemas.EnvelopeErrors(envelope) : ["/: type"];
        Guid? messageId = envelope.ValueKind == JsonValueKind.Object && envelope.TryGetProperty("messageId", out var id) && id.TryGetGuid(out var parsedId) ? parsedId : null;
        if (envelopeErrors.Count > 0)
            return await RejectAsync(body, source, messageId, declaredType, "invalid-envelope", "The envelope does not match the published schema.", envelopeErrors, cancellationToken);

        var type = envelope.GetProperty("type").GetString()!;
        var version = envelope.GetProperty("schemaVersion").GetInt32();
        if (declaredType is not null && declaredType != type)
            return await RejectAsync(body, source, messageId, type, "type-mismatch", "The type in the address and in the envelope differ.", [], cancellationToken);

        var previous = await db.IngressRecords.AsNoTracking().SingleOrDefaultAsync(r => r.Agency == source.Agency && r.MessageId == messageId, cancellationToken);
        if (previous is not null)
            return new IngressOutcome(previous.Accepted, previous.DecisionId, messageId, previous.ReasonCode, "Already handled: the first answer stands.", [], Duplicate: true);

        if (!InboundRules.Types.TryGetValue(type, out var ingressType) || ingressType.SchemaVersion != version || !schemas.Has(type, version))
            return await RejectAsync(body, source, messageId, type, "unknown-type", "This type and schema version are not accepted.", [], cancellationToken);
        if (!TerritoryCode.TryParse(envelope.GetProperty("territory").GetString(), out var territory))
            return await RejectAsync(body, source, messageId, type, ReasonCodes.UnknownTerritory, "The territory must be an INSEE département code.", [], cancellationToken);
        if (!source.Territories.Contains(territory))
            return await RejectAsync(body, source, messageId, type, "territory-not-allowed", "This agency is not registered for that territory.", [], cancellationToken);
        if (InboundRules.Refusal(ingressType, source.Role) is { } refusal)
            return await RejectAsync(body, source, messageId, type, refusal.ReasonCode, refusal.Reason, [], cancellationToken);

        var payload = envelope.GetProperty("payload");
        var payloadErrors = schemas.PayloadErrors(type, version, payload);
        if (payloadErrors.Count > 0)
            return await RejectAsync(body, source, messageId, type, "invalid-payload", "The payload does not match the published schema of its type.", payloadErrors, cancellationToken);

        if (type == InboundRules.DetentionConduct)
        {
            var now = clock.GetUtcNow();
            var history = await db.SharingRules.AsNoTracking().Where(v => v.Territory == territory).ToListAsync(cancellationToken);
            var role = source.Role == PrincipalRole.SentenceEnforcementCourt ? Contracts.Gateway.RecipientRole.SentenceEnforcementCourt : Contracts.Gateway.RecipientRole.ProbationService;
            if (!InboundRules.OptedIn(SharingRulesVersion.InForce(history, now), role, TerritoryCalendar.Today(territory, now)))
                return await RejectAsync(body, source, messageId, type, "forbidden-inbound-flow",
                    "The sharing rules in force do not open the 2017-258 flow (an opt-in rule with its legal basis is required).", [], cancellationToken);
            // F3: only about a person the judicial authority designated, in this territory.
            if (!PersonRef.TryParse(payload.GetProperty("personRef").GetString(), out var person) || !await vault.KnowsAsync(person, territory, cancellationToken))
                return await RejectAsync(body, source, messageId, type, "person-not-designated", "The person is not designated in this territory.", [], cancellationToken);
        }

        if (await RefusalOfContentAsync(source, type, territory, payload, cancellationToken) is { } refused)
            return await RejectAsync(body, source, messageId, type, refused.ReasonCode, refused.Reason, [], cancellationToken);

        var (forwarded, references) = await ForwardAsync(source, type, territory, payload, messageId!.Value, cancellationToken);
        var decisionId = NewId.NextGuid();
        Activity.Current?.SetTag("coordination.decision.id", decisionId.ToString());
        db.IngressRecords.Add(new IngressRecord { Agency = source.Agency, MessageId = messageId!.Value, Type = type, Accepted = true, ReasonCode = "accepted", DecisionId = decisionId, ReceivedAt = clock.GetUtcNow() });
        try
        {
            await audit.AppendAndSaveAsync(new AuditRecord(decisionId, AuditKind.IngressAccepted, source.Agency, forwarded, null, [],
                [$"message:{messageId}", $"type:{type}", $"territory:{territory.Value}", .. references], null, "accepted", "accepted"), cancellationToken);
        }
        catch (DbUpdateException)
        {
            // The same message, sent twice at once: the first one committed; answer as it was answered.
            db.ChangeTracker.Clear();
            var first = await db.IngressRecords.AsNoTracking().SingleAsync(r => r.Agency == source.Agency && r.MessageId == messageId, cancellationToken);
            return new IngressOutcome(first.Accepted, first.DecisionId, messageId, first.ReasonCode, "Already handled: the first answer stands.", [], Duplicate: true);
        }
        return new IngressOutcome(true, decisionId, messageId, "accepted", "Accepted and forwarded.", []);
    }

    /// <summary>What the schema cannot say: a jurisdiction that exists, a person designated here, a case the partner follows.</summary>
    private async Task<(string ReasonCode, string Reason)?> RefusalOfContentAsync(AgencySource source, string type, TerritoryCode territory, JsonElement payload, CancellationToken cancellationToken)
    {
        switch (type)
        {
            case "supervision.designate-person":
                var jurisdiction = Jurisdictions.Find(payload.GetProperty("sentenceEnforcementJurisdiction").GetString());
                return jurisdiction is null || jurisdiction.Territory != territory
                    ? ("unknown-jurisdiction", "The sentence-enforcement jurisdiction is not one registered for this territory.")
                    : null;
            case InboundRules.WithdrawDesignation:
                return PersonRef.TryParse(payload.GetProperty("personRef").GetString(), out var withdrawn) && await vault.KnowsAsync(withdrawn, territory, cancellationToken)
                    ? null
                    : ("person-not-designated", "The person is not designated in this territory.");
            case InboundRules.RecordControl or InboundRules.ReportIncident:
                if (!PersonRef.TryParse(payload.GetProperty("personRef").GetString(), out var person) || person.Territory != territory)
                    return ("not-assigned-to-case", "This partner is not assigned to an open supervision case of that person.");
                // What is recorded has happened: a later date is a typing mistake that would date reports in the future.
                var today = TerritoryCalendar.Today(territory, clock.GetUtcNow());
                var happened = type == InboundRules.RecordControl
                    ? DateOnly.Parse(payload.GetProperty("controlledOn").GetString()!, System.Globalization.CultureInfo.InvariantCulture)
                    : TerritoryCalendar.Today(territory, payload.GetProperty("occurredAt").GetDateTimeOffset());
                if (happened > today) return ("date-in-future", "What is recorded has happened: the date is after today in the territory.");
                return await db.PartnerAssignments.AnyAsync(a => a.Person == person && a.Partner == source.Agency, cancellationToken)
                    ? null
                    : ("not-assigned-to-case", "This partner is not assigned to an open supervision case of that person.");
            default:
                return null;
        }
    }

    /// <summary>A message with no user_id, or one of an account no agency is registered under: audited, answered to no one.</summary>
    public Task<IngressOutcome> RejectUnidentifiedAsync(AgencySource source, string? type, CancellationToken cancellationToken) =>
        RejectAsync(original: null, source, null, type, "unidentified-source", "The sender is not a registered agency.", [], cancellationToken);

    /// <summary>Turns the agency's payload into the platform's own command and stages it with the decision.</summary>
    /// <remarks>The forwarded message's correlation id is the agency's message id: one thread from door to effect.</remarks>
    private async Task<(string Recipient, IReadOnlyList<string> References)> ForwardAsync(AgencySource source, string type, TerritoryCode territory, JsonElement payload, Guid agencyMessageId, CancellationToken cancellationToken)
    {
        switch (type)
        {
            case "briefings.record-briefing":
                var briefing = payload.Deserialize<BriefingPayload>(Json)!;
                db.PublishOnCommit(new RecordPenalPolicyBriefing
                {
                    Territory = territory,
                    PrioritySecurityZone = briefing.PrioritySecurityZone,
                    BriefedOn = briefing.BriefedOn,
                    ProsecutorOffice = briefing.ProsecutorOffice,
                    PriorityThemes = briefing.PriorityThemes,
                    Summary = briefing.Summary,
                }, correlationId: agencyMessageId);
                return ("briefings", []);
            case "supervision.designate-person":
                // Identity to the vault; supervision gets a reference, dates, and the grounds sealed for it alone.
                var details = payload.Deserialize<DesignationDetails>(Json)!;
                var person = await vault.PseudonymiseAsync(territory, details, source.Agency, clock.GetUtcNow(), cancellationToken);
                var messageId = NewId.NextGuid();
                db.PublishOnCommit(new DesignatePerson
                {
                    Person = person,
                    Territory = territory,
                    SentenceEnforcementJurisdiction = details.SentenceEnforcementJurisdiction,
                    ReleaseDate = details.ReleaseDate,
                    MeasureEndsOn = details.MeasureEndsOn,
                    Grounds = PayloadSealer.SealJson(details.Grounds, keys.CurrentKeyOf(SupervisionRecipient), SupervisionPurpose, messageId),
                }, messageId: messageId, correlationId: agencyMessageId);
                return ("supervision", [$"person:{person.Value}"]);
            case InboundRules.DetentionConduct:
                // Sealed for supervision alone: the conduct report is confidential (II).
                var conductId = NewId.NextGuid();
                var personRef = PersonRef.Parse(payload.GetProperty("personRef").GetString()!);
                db.PublishOnCommit(new DetentionConductReported
                {
                    Person = personRef,
                    Territory = territory,
                    Report = PayloadSealer.Seal(JsonSerializer.SerializeToUtf8Bytes(payload), keys.CurrentKeyOf(SupervisionRecipient), SupervisionPurpose, conductId),
                }, messageId: conductId, correlationId: agencyMessageId);
                return ("supervision", [$"person:{personRef.Value}"]);
            case InboundRules.WithdrawDesignation:
                var withdrawn = PersonRef.Parse(payload.GetProperty("personRef").GetString()!);
                db.PublishOnCommit(new WithdrawDesignation { Person = withdrawn, Territory = territory }, correlationId: agencyMessageId);
                return ("supervision", [$"person:{withdrawn.Value}"]);
            case InboundRules.RecordControl:
                var control = payload.Deserialize<ControlPayload>(Json)!;
                db.PublishOnCommit(new RecordControl
                {
                    ControlId = control.ControlId,
                    Person = PersonRef.Parse(control.PersonRef),
                    Partner = PartnerId.Parse(source.Agency),
                    ControlledOn = control.ControlledOn,
                    Outcome = control.Outcome,
                }, correlationId: agencyMessageId);
                return ("supervision", [$"person:{control.PersonRef}", $"control:{control.ControlId}"]);
            case InboundRules.ReportIncident:
                var incident = payload.Deserialize<IncidentPayload>(Json)!;
                db.PublishOnCommit(new ReportIncident
                {
                    IncidentId = incident.IncidentId,
                    Person = PersonRef.Parse(incident.PersonRef),
                    Partner = PartnerId.Parse(source.Agency),
                    Kind = incident.Kind,
                    Severity = incident.Severity,
                    OccurredAt = incident.OccurredAt,
                }, correlationId: agencyMessageId);
                return ("supervision", [$"person:{incident.PersonRef}", $"incident:{incident.IncidentId}"]);
            case InboundRules.RequestReview:
                // The review is known by the prosecutor's own message id: the opinion sent back names it.
                var review = payload.Deserialize<ReviewRequestPayload>(Json)!;
                db.PublishOnCommit(new RequestArt41Review
                {
                    ReviewId = agencyMessageId,
                    Territory = territory,
                    Measure = review.Measure,
                    PeriodStart = review.PeriodStart,
                    PeriodEnd = review.PeriodEnd,
                    RespondBy = review.RespondBy,
                    RequestedBy = source.Agency,
                }, correlationId: agencyMessageId);
                return ("opinions", [$"review:{agencyMessageId}"]);
            case InboundRules.SubmitIndicators:
                var figures = payload.Deserialize<IndicatorsPayload>(Json)!;
                db.PublishOnCommit(new SubmitImplementationIndicators
                {
                    ReviewId = figures.ReviewId,
                    Territory = territory,
                    MeasuresOrdered = figures.MeasuresOrdered,
                    MeasuresCarriedOut = figures.MeasuresCarriedOut,
                    MedianDelayDays = figures.MedianDelayDays,
                    StructureCapacity = figures.StructureCapacity,
                }, correlationId: agencyMessageId);
                return ("opinions", [$"review:{figures.ReviewId}"]);
            case InboundRules.Contribute:
                // Free text is confidential (F5): sealed for the Opinions service alone.
                var contribution = payload.Deserialize<ContributionPayload>(Json)!;
                var contributionId = NewId.NextGuid();
                db.PublishOnCommit(new ContributeToReview
                {
                    ReviewId = contribution.ReviewId,
                    Territory = territory,
                    Partner = PartnerId.Parse(source.Agency),
                    Contribution = PayloadSealer.SealJson(contribution.Contribution, keys.CurrentKeyOf(OpinionsRecipient), OpinionsPurpose, contributionId),
                }, messageId: contributionId, correlationId: agencyMessageId);
                return ("opinions", [$"review:{contribution.ReviewId}"]);
            default:
                throw new InvalidOperationException($"No forwarding for {type}.");
        }
    }

    public const string SupervisionRecipient = "supervision";
    public const string OpinionsRecipient = "opinions";
    public const string OpinionsPurpose = "art41-opinion";
    public const string SupervisionPurpose = "community-supervision";

    /// <param name="original">The message as received, returned sealed to its sender; null when there is no one to answer.</param>
    private async Task<IngressOutcome> RejectAsync(ReadOnlyMemory<byte>? original, AgencySource source, Guid? messageId, string? type, string reasonCode, string reason, IReadOnlyList<string> errors, CancellationToken cancellationToken)
    {
        var decisionId = NewId.NextGuid();
        Activity.Current?.SetTag("coordination.decision.id", decisionId.ToString());
        // A partner may be told of its assignment before the door hears of it: that refusal is not final, the same message may come again.
        if (messageId is { } knownId && type is not null && !RetryableRefusals.Contains(reasonCode)
            && !await db.IngressRecords.AnyAsync(r => r.Agency == source.Agency && r.MessageId == knownId, cancellationToken))
            db.IngressRecords.Add(new IngressRecord { Agency = source.Agency, MessageId = knownId, Type = type, Accepted = false, ReasonCode = reasonCode, DecisionId = decisionId, ReceivedAt = clock.GetUtcNow() });
        if (original is { } received)
            StageRejectionNotice(source, received, messageId, type, reasonCode, reason, decisionId);
        await audit.AppendAndSaveAsync(new AuditRecord(decisionId, AuditKind.IngressRejected, source.Agency, null, null, [],
            [messageId is null ? "message:unreadable" : $"message:{messageId}", $"type:{type ?? "unknown"}"], null, "rejected", reasonCode), cancellationToken);
        return new IngressOutcome(false, decisionId, messageId, reasonCode, reason, errors);
    }

    private static readonly HashSet<string> RetryableRefusals = ["not-assigned-to-case"];

    public const string RejectedMessagePurpose = "rejected-message";
    public const string RejectionType = "gateway.rejected";

    /// <summary>
    /// The answer to a refused message, committed with the decision: its reason, and the message as
    /// received sealed for the sender's own key, kept where the sender alone reads it (its rejection
    /// queue on RabbitMQ, its mailbox over HTTP). The platform itself keeps nothing readable of it.
    /// </summary>
    private void StageRejectionNotice(AgencySource source, ReadOnlyMemory<byte> original, Guid? messageId, string? type, string reasonCode, string reason, Guid decisionId)
    {
        var notice = new IngressRejected
        {
            MessageId = messageId ?? Guid.Empty,
            MessageType = type ?? "unknown",
            SourceAgency = source.Agency,
            ReasonCode = reasonCode,
            Reason = reason,
            RejectedAt = clock.GetUtcNow(),
            DecisionId = decisionId,
            Original = PayloadSealer.Seal(original.Span, keys.CurrentKeyOf(source.Agency), RejectedMessagePurpose, decisionId),
        };
        db.Set<Egress.AgencyDelivery>().Add(new Egress.AgencyDelivery
        {
            Id = NewId.NextGuid(),
            Agency = source.Agency,
            Type = RejectionType,
            CreatedAt = notice.RejectedAt,
            Body = JsonSerializer.Serialize(notice, Json),
        });
    }

    private sealed record ControlPayload(string PersonRef, Guid ControlId, DateOnly ControlledOn, ControlOutcome Outcome);

    private sealed record IncidentPayload(string PersonRef, Guid IncidentId, IncidentKind Kind, IncidentSeverity Severity, DateTimeOffset OccurredAt);
    private sealed record IndicatorsPayload(Guid ReviewId, int MeasuresOrdered, int MeasuresCarriedOut, int MedianDelayDays, int StructureCapacity);

    private sealed record ContributionPayload(Guid ReviewId, string Contribution);

    private sealed record ReviewRequestPayload(Art41MeasureKind Measure, DateOnly PeriodStart, DateOnly PeriodEnd, DateOnly RespondBy);

    private sealed record BriefingPayload(string? PrioritySecurityZone, DateOnly BriefedOn, string ProsecutorOffice, IReadOnlyList<PenalPolicyTheme> PriorityThemes, string Summary);
}

using System.Text.Json;
using Coordination.Contracts;
using Coordination.Contracts.Gateway;
using Coordination.Contracts.Supervision;
using Coordination.Contracts.Values;
using Coordination.Gateway.Application;
using Coordination.Gateway.Application.Ingress;
using Coordination.Gateway.Domain;
using Coordination.Gateway.Persistence;
using Coordination.ServiceDefaults.Sealing;
using Coordination.ServiceDefaults.Security;
using Coordination.ServiceDefaults.Territories;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Coordination.Gateway.Application.Ingress.Types;

/// <summary>
/// Law 2017-258's narrow flow from the JAP or SPIP: open only while the rules in force hold an
/// opt-in for the sender's role, and only about a person designated in that territory (F3).
/// </summary>
public sealed class ReportDetentionConduct(GatewayDbContext db, IdentityVault vault, SealingKeyStore keys, TimeProvider clock) : IngressType
{
    public override string Name => IngressTypeNames.ReportDetentionConduct;

    public override IReadOnlySet<PrincipalRole> Senders => IngressSenders.JudicialFollowUp;

    public override async Task<Refusal?> RefusalOfContentAsync(IngressMessage message, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var history = await db.SharingRules.AsNoTracking().Where(v => v.Territory == message.Territory).ToListAsync(cancellationToken);
        var role =
            message.Source.Role == PrincipalRole.SentenceEnforcementCourt
                ? RecipientRole.SentenceEnforcementCourt
                : RecipientRole.ProbationService;
        if (!OptedIn(SharingRulesVersion.InForce(history, now), role, TerritoryCalendar.Today(message.Territory, now)))
            return new Refusal(
                ReasonCodes.ForbiddenInboundFlow,
                "The sharing rules in force do not open the 2017-258 flow (an opt-in rule with its legal basis is required)."
            );
        if (
            !PersonRef.TryParse(Text(message, "personRef"), out var person)
            || !await vault.KnowsAsync(person, message.Territory, cancellationToken)
        )
            return new Refusal(ReasonCodes.PersonNotDesignated, "The person is not designated in this territory.");
        return null;
    }

    public override Task<Forwarded> ForwardAsync(IngressMessage message, CancellationToken cancellationToken)
    {
        // Sealed for supervision alone: the conduct report is confidential (II).
        var conductId = NewId.NextGuid();
        var person = PersonRef.Parse(Text(message, "personRef")!);
        db.PublishOnCommit(
            new DetentionConductReported
            {
                Person = person,
                Territory = message.Territory,
                Report = PayloadSealer.Seal(
                    JsonSerializer.SerializeToUtf8Bytes(message.Payload),
                    keys.CurrentKeyOf(IngressRecipients.Supervision),
                    IngressRecipients.SupervisionPurpose,
                    conductId
                ),
            },
            messageId: conductId,
            correlationId: message.MessageId
        );
        return Task.FromResult(new Forwarded(IngressRecipients.Supervision, [$"person:{person.Value}"]));
    }

    /// <summary>
    /// The opt-in: a grant of <c>detention-conduct</c> to the sender's role for community supervision, with a legal basis.
    /// </summary>
    public static bool OptedIn(SharingRulesVersion? rules, RecipientRole senderRole, DateOnly on) =>
        rules?.Rules.Any(r =>
            r.Grants(DataCategory.DetentionConduct, senderRole, SharingPurpose.CommunitySupervision, on)
            && !string.IsNullOrWhiteSpace(r.LegalBasis)
        ) == true;
}

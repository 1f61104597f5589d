using System.Text.Json;
using Coordination.Contracts;
using Coordination.Contracts.Gateway;
using Coordination.Gateway.Application;
using Coordination.Gateway.Application.Ingress;
using Coordination.Gateway.Domain;
using Coordination.Gateway.Persistence;
using Coordination.ServiceDefaults.Sealing;
using Coordination.ServiceDefaults.Security;
using MassTransit;
using DesignatePersonCommand = Coordination.Contracts.Supervision.DesignatePerson;

namespace Coordination.Gateway.Application.Ingress.Types;

/// <summary>
/// 3°: the judicial authority designates a person (R5). The identity goes to the vault; Supervision
/// gets a reference, the jurisdiction and dates, and the grounds sealed for it alone.
/// </summary>
public sealed class DesignatePerson(
    GatewayDbContext db,
    IdentityVault vault,
    SealingKeyStore keys,
    AgencyDirectory directory,
    TimeProvider clock
) : IngressType
{
    public override string Name => IngressTypeNames.DesignatePerson;

    public override IReadOnlySet<PrincipalRole> Senders => IngressSenders.JudicialAuthority;

    public override async Task<Refusal?> RefusalOfContentAsync(IngressMessage message, CancellationToken cancellationToken)
    {
        var details = Details(message);
        if (await directory.JurisdictionAsync(details.SentenceEnforcementJurisdiction, message.Territory, cancellationToken) is null)
            return new Refusal(
                ReasonCodes.UnknownJurisdiction,
                "The sentence-enforcement jurisdiction is not one registered for this territory."
            );
        // Before any write: a designation of a person under supervision would overwrite the identity and
        // contact details the partners receive, a way to push "useful information" (decision 2016-569 QPC).
        if (await vault.IsUnderSupervisionAsync(message.Territory, details.Identity, cancellationToken))
            return new Refusal(
                ReasonCodes.DesignationConflict,
                "This person's supervision case is open, or the last designation is not yet answered: "
                    + "withdraw the designation before designating again."
            );
        return null;
    }

    public override async Task<Forwarded> ForwardAsync(IngressMessage message, CancellationToken cancellationToken)
    {
        var details = Details(message);
        var person = await vault.PseudonymiseAsync(message.Territory, details, message.Source.Agency, clock.GetUtcNow(), cancellationToken);
        var messageId = NewId.NextGuid();
        db.PublishOnCommit(
            new DesignatePersonCommand
            {
                Person = person,
                Territory = message.Territory,
                SentenceEnforcementJurisdiction = details.SentenceEnforcementJurisdiction,
                ReleaseDate = details.ReleaseDate,
                MeasureEndsOn = details.MeasureEndsOn,
                Grounds = PayloadSealer.SealJson(
                    details.Grounds,
                    keys.CurrentKeyOf(IngressRecipients.Supervision),
                    IngressRecipients.SupervisionPurpose,
                    messageId
                ),
                // The receipts go back to the account the message came under; its own reference stays in the vault.
                DesignatedBy = message.Source.Agency,
            },
            messageId: messageId,
            correlationId: message.MessageId
        );
        return new Forwarded(IngressRecipients.Supervision, [$"person:{person.Value}"]);
    }

    private static DesignationDetails Details(IngressMessage message) => message.Payload.Deserialize<DesignationDetails>(Json)!;
}

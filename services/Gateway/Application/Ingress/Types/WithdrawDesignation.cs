using Coordination.Contracts;
using Coordination.Contracts.Gateway;
using Coordination.Contracts.Values;
using Coordination.Gateway.Application;
using Coordination.Gateway.Application.Ingress;
using Coordination.Gateway.Domain;
using Coordination.Gateway.Persistence;
using Coordination.ServiceDefaults.Security;
using WithdrawDesignationCommand = Coordination.Contracts.Supervision.WithdrawDesignation;

namespace Coordination.Gateway.Application.Ingress.Types;

/// <summary>
/// The judicial authority withdraws its designation of a person designated in that territory: the
/// case ends. It names the person by the <c>PersonRef</c> its receipt gave, or by its own
/// <c>authorityReference</c>, which only finds the persons the sender itself designated.
/// </summary>
public sealed class WithdrawDesignation(GatewayDbContext db, IdentityVault vault) : IngressType
{
    public override string Name => IngressTypeNames.WithdrawDesignation;

    public override IReadOnlySet<PrincipalRole> Senders => IngressSenders.JudicialAuthority;

    public override async Task<Refusal?> RefusalOfContentAsync(IngressMessage message, CancellationToken cancellationToken)
    {
        var person = await PersonOfAsync(message, cancellationToken);
        if (person is null && Text(message, "personRef") is null)
            return new Refusal(
                ReasonCodes.UnknownAuthorityReference,
                "You designated no person of this territory under that authorityReference."
            );
        return person is { } named && await vault.KnowsAsync(named, message.Territory, cancellationToken)
            ? null
            : new Refusal(ReasonCodes.PersonNotDesignated, "The person is not designated in this territory.");
    }

    public override async Task<Forwarded> ForwardAsync(IngressMessage message, CancellationToken cancellationToken)
    {
        var person = (await PersonOfAsync(message, cancellationToken))!.Value;
        db.PublishOnCommit(
            new WithdrawDesignationCommand { Person = person, Territory = message.Territory },
            correlationId: message.MessageId
        );
        return new Forwarded(IngressRecipients.Supervision, [$"person:{person.Value}"]);
    }

    /// <summary>
    /// The person named: by reference, or by the sender's own reference. Both named and not the same
    /// person is no person (the schema lets both through, so that either may be kept by the sender).
    /// </summary>
    private async Task<PersonRef?> PersonOfAsync(IngressMessage message, CancellationToken cancellationToken)
    {
        PersonRef? byRef = PersonRef.TryParse(Text(message, "personRef"), out var parsed) ? parsed : null;
        if (Text(message, "authorityReference") is not { } reference)
            return byRef;
        var byAuthority = await vault.FindByAuthorityReferenceAsync(message.Source.Agency, reference, message.Territory, cancellationToken);
        if (byRef is not null && byAuthority is not null && byRef != byAuthority)
            return null;
        return byAuthority;
    }
}

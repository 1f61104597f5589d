using Coordination.Contracts;
using Coordination.Contracts.Gateway;
using Coordination.Contracts.Values;
using Coordination.Gateway.Persistence;
using Coordination.Gateway.Vault;
using Coordination.ServiceDefaults.Security;
using WithdrawDesignationCommand = Coordination.Contracts.Supervision.WithdrawDesignation;

namespace Coordination.Gateway.Ingress.Types;

/// <summary>The judicial authority withdraws its designation of a person designated in that territory: the case ends.</summary>
public sealed class WithdrawDesignation(GatewayDbContext db, IdentityVault vault) : IngressType
{
    public override string Name => IngressTypeNames.WithdrawDesignation;

    public override IReadOnlySet<PrincipalRole> Senders => IngressSenders.JudicialAuthority;

    public override async Task<Refusal?> RefusalOfContentAsync(IngressMessage message, CancellationToken cancellationToken) =>
        PersonRef.TryParse(Text(message, "personRef"), out var person) && await vault.KnowsAsync(person, message.Territory, cancellationToken)
            ? null
            : new Refusal(ReasonCodes.PersonNotDesignated, "The person is not designated in this territory.");

    public override Task<Forwarded> ForwardAsync(IngressMessage message, CancellationToken cancellationToken)
    {
        var person = PersonRef.Parse(Text(message, "personRef")!);
        db.PublishOnCommit(new WithdrawDesignationCommand { Person = person, Territory = message.Territory }, correlationId: message.MessageId);
        return Task.FromResult(new Forwarded(IngressRecipients.Supervision, [$"person:{person.Value}"]));
    }
}

using Coordination.Contracts.Gateway;
using Coordination.Contracts.Supervision;
using Coordination.ServiceDefaults.Outbox;
using Coordination.ServiceDefaults.Rules;
using Coordination.ServiceDefaults.Sealing;
using Coordination.Supervision.Domain;
using Coordination.Supervision.Persistence;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Coordination.Supervision.Application;

/// <summary>A designation forwarded by the gateway opens a case; the grounds open with this service's own key only.</summary>
/// <remarks>
/// Like every handler of a consumed message, it is given the context of the consumer's unit of work,
/// which commits the change with the inbox entry.
/// </remarks>
public sealed class DesignatePersonHandler(SealingKeyStore keys, PartnerInformation information, TimeProvider clock)
{
    public const string KeyOwner = KeyOwners.Supervision;
    public const string Purpose = Purposes.CommunitySupervision;

    public async Task HandleAsync(SupervisionDbContext db, DesignatePerson designation, ConsumeContext cause)
    {
        if (await db.Cases.AnyAsync(c => c.Person == designation.Person && c.Status == CaseStatus.Open, cause.CancellationToken))
            throw RuleViolation.Conflict(
                Contracts.ReasonCodes.DesignationConflict,
                "a case is already open for this person; withdraw it before designating again.",
                "person"
            );

        List<DesignationGround> grounds;
        try
        {
            using var ring = keys.RingFor(KeyOwner);
            grounds = PayloadSealer.OpenJson<List<DesignationGround>>(designation.Grounds, ring, Purpose, cause.MessageId!.Value);
        }
        catch (SealingException e)
        {
            throw new RuleViolation(e.ReasonCode, "grounds", "the designation grounds cannot be opened by this service.");
        }

        var opened = SupervisionCase.Open(NewId.NextGuid(), designation, grounds, clock.GetUtcNow());
        db.Cases.Add(opened);
        db.PublishOnCommit(opened.Opened(), cause);
        // The designating authority learns the reference it will need (and the gateway adds its own reference from the vault).
        information.NotifyAuthority(db, opened, CaseNotice.DesignationAccepted, cause);
    }
}

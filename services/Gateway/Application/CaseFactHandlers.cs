using Coordination.Contracts.Supervision;
using Coordination.Gateway.Domain;
using Coordination.Gateway.Persistence;
using Coordination.ServiceDefaults.Outbox;
using Coordination.ServiceDefaults.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Coordination.Gateway.Application;

// Supervision's facts about a case, each staged on the consumer's unit of work (read and written in one
// transaction there): a purge committed in between cannot be undone by a fact.

/// <summary>
/// A fact of a case already purged is dropped and counted, so that a late one does not bring back an
/// assignment or a known case (with the person's reference) the purge removed.
/// </summary>
public sealed class LateCaseFacts(ILogger<LateCaseFacts> logger)
{
    /// <summary>True when the case is purged: the fact was dropped, and nothing is to be staged.</summary>
    public async Task<bool> DroppedAsync<TFact>(GatewayDbContext unitOfWork, Guid caseId, Guid? messageId, CancellationToken ct)
    {
        if (!await unitOfWork.PurgedCases.AnyAsync(p => p.CaseId == caseId, ct))
            return false;
        LateFacts.Drop(logger, "gateway", typeof(TFact).Name, caseId, messageId);
        return true;
    }
}

/// <summary>Who follows whom: kept so that the door checks a partner's messages against its own cases.</summary>
public sealed class PartnerAssignedHandler(LateCaseFacts late, TimeProvider clock)
{
    public async Task StageAsync(GatewayDbContext unitOfWork, PartnerAssigned fact, Guid? messageId, CancellationToken ct)
    {
        if (await late.DroppedAsync<PartnerAssigned>(unitOfWork, fact.CaseId, messageId, ct))
            return;
        var assignedAt = fact.AssignedAt ?? clock.GetUtcNow();
        var known = await unitOfWork.PartnerAssignments.SingleOrDefaultAsync(
            a => a.CaseId == fact.CaseId && a.Partner == fact.Partner.Value,
            ct
        );
        if (known is null)
        {
            unitOfWork.PartnerAssignments.Add(
                new PartnerAssignment
                {
                    CaseId = fact.CaseId,
                    Person = fact.Person,
                    Partner = fact.Partner.Value,
                    AssignedAt = assignedAt,
                }
            );
            return;
        }
        // Assigned again after being taken off: only an assignment later than the unassignment brings it back.
        if (known.UnassignedAt is { } off && assignedAt > off)
        {
            known.AssignedAt = assignedAt;
            known.UnassignedAt = null;
        }
    }
}

/// <summary>
/// A partner taken off a case: the row stays, marked, so that the door refuses its messages about the
/// case as final (<c>unassigned-from-case</c>) and the release lane no longer counts it as assigned.
/// </summary>
public sealed class PartnerUnassignedHandler(LateCaseFacts late)
{
    public async Task StageAsync(GatewayDbContext unitOfWork, PartnerUnassigned fact, Guid? messageId, CancellationToken ct)
    {
        if (await late.DroppedAsync<PartnerUnassigned>(unitOfWork, fact.CaseId, messageId, ct))
            return;
        var known = await unitOfWork.PartnerAssignments.SingleOrDefaultAsync(
            a => a.CaseId == fact.CaseId && a.Partner == fact.Partner.Value,
            ct
        );
        if (known is null)
        {
            // Heard before the assignment it ends: the assignment, when it comes, is older and changes nothing.
            unitOfWork.PartnerAssignments.Add(
                new PartnerAssignment
                {
                    CaseId = fact.CaseId,
                    Person = fact.Person,
                    Partner = fact.Partner.Value,
                    AssignedAt = fact.UnassignedAt,
                    UnassignedAt = fact.UnassignedAt,
                }
            );
            return;
        }
        if (known.AssignedAt <= fact.UnassignedAt && (known.UnassignedAt is null || known.UnassignedAt < fact.UnassignedAt))
            known.UnassignedAt = fact.UnassignedAt;
    }
}

/// <summary>The case is restricted: from now on every release about it needs a sharing rule that names the restriction.</summary>
public sealed class CaseRestrictedHandler(LateCaseFacts late)
{
    public async Task StageAsync(GatewayDbContext unitOfWork, CaseRestricted fact, Guid? messageId, CancellationToken ct)
    {
        if (await late.DroppedAsync<CaseRestricted>(unitOfWork, fact.CaseId, messageId, ct))
            return;
        var word = Coordination.Contracts.Values.ClosedList<CaseRestrictionReason>.WordOf(fact.Reason);
        var known = await unitOfWork.KnownCases.SingleOrDefaultAsync(c => c.CaseId == fact.CaseId, ct);
        if (known is null)
            unitOfWork.KnownCases.Add(
                new KnownCase
                {
                    CaseId = fact.CaseId,
                    Person = fact.Person,
                    Territory = fact.Person.Territory,
                    Restriction = word,
                }
            );
        else
            known.Restriction = word;
    }
}

/// <summary>
/// A case opened: the person is under supervision, and the designation that asked for it is
/// answered. Until the case ends, the door refuses another designation of that person.
/// </summary>
public sealed class SupervisionOpenedHandler(LateCaseFacts late, TimeProvider clock)
{
    public async Task StageAsync(GatewayDbContext unitOfWork, SupervisionOpened fact, Guid? messageId, CancellationToken ct)
    {
        if (await late.DroppedAsync<SupervisionOpened>(unitOfWork, fact.CaseId, messageId, ct))
            return;
        var known = await unitOfWork.KnownCases.SingleOrDefaultAsync(c => c.CaseId == fact.CaseId, ct);
        if (known is not null)
        {
            // Its end was heard first: it stays ended, and the vault entry may wait for a later designation's case.
            known.SentenceEnforcementJurisdiction ??= fact.SentenceEnforcementJurisdiction;
            known.OpenedAt ??= clock.GetUtcNow();
            // Only its restriction was heard first: the case is open, and the designation is answered.
            if (
                known.EndedAt is null
                && await unitOfWork.Vault.SingleOrDefaultAsync(v => v.Person == fact.Person, ct) is { AwaitingCase: true } waiting
            )
                waiting.AwaitingCase = false;
            return;
        }
        unitOfWork.KnownCases.Add(
            new KnownCase
            {
                CaseId = fact.CaseId,
                Person = fact.Person,
                Territory = fact.Territory,
                SentenceEnforcementJurisdiction = fact.SentenceEnforcementJurisdiction,
                OpenedAt = clock.GetUtcNow(),
            }
        );
        if (await unitOfWork.Vault.SingleOrDefaultAsync(v => v.Person == fact.Person, ct) is { AwaitingCase: true } entry)
            entry.AwaitingCase = false;
    }
}

/// <summary>
/// An ended case is followed by no one: its partners' messages are refused from now on, and the
/// person may be designated again.
/// </summary>
public sealed class SupervisionEndedHandler(LateCaseFacts late)
{
    public async Task StageAsync(GatewayDbContext unitOfWork, SupervisionEnded fact, Guid? messageId, CancellationToken ct)
    {
        if (await late.DroppedAsync<SupervisionEnded>(unitOfWork, fact.CaseId, messageId, ct))
            return;
        unitOfWork.PartnerAssignments.RemoveRange(await unitOfWork.PartnerAssignments.Where(a => a.CaseId == fact.CaseId).ToListAsync(ct));
        var known = await unitOfWork.KnownCases.SingleOrDefaultAsync(c => c.CaseId == fact.CaseId, ct);
        if (known is null)
            unitOfWork.KnownCases.Add(
                new KnownCase
                {
                    CaseId = fact.CaseId,
                    Person = fact.Person,
                    Territory = fact.Person.Territory,
                    EndedAt = fact.EndedAt,
                }
            );
        else
            known.EndedAt ??= fact.EndedAt;
    }
}

/// <summary>
/// Retention elapsed (F4): the case's assignments go; when it was the person's last case, the vault
/// forgets the person and every mailbox entry naming the reference goes too. The audit log keeps the
/// bare reference, which then points to nothing. A person designated again keeps the reference, so a
/// purge of an old case must not touch the case that goes on.
/// </summary>
public sealed class SupervisionPurgedHandler
{
    /// <summary>The person the vault forgets with this purge: what the commit then removes from the mailboxes.</summary>
    public sealed record Forgotten(string Reference, string Territory, DateTimeOffset PurgedAt);

    public async Task<Forgotten?> StageAsync(GatewayDbContext unitOfWork, SupervisionPurged purged, CancellationToken ct)
    {
        // The tombstone commits with the deletions: a fact of this case that comes later is dropped.
        if (!await unitOfWork.PurgedCases.AnyAsync(p => p.CaseId == purged.CaseId, ct))
            unitOfWork.PurgedCases.Add(new PurgedCase { CaseId = purged.CaseId, PurgedAt = purged.PurgedAt });
        unitOfWork.PartnerAssignments.RemoveRange(
            await unitOfWork.PartnerAssignments.Where(a => a.CaseId == purged.CaseId).ToListAsync(ct)
        );
        unitOfWork.KnownCases.RemoveRange(await unitOfWork.KnownCases.Where(c => c.CaseId == purged.CaseId).ToListAsync(ct));
        if (!purged.LastCaseOfPerson)
            return null;
        unitOfWork.Vault.RemoveRange(await unitOfWork.Vault.Where(v => v.Person == purged.Person).ToListAsync(ct));
        return new Forgotten(purged.Person.Value, purged.Person.Territory.Value, purged.PurgedAt);
    }

    /// <summary>
    /// The vault entry goes first, then, in the same transaction, every mailbox entry naming the
    /// reference (26 random characters: found anywhere in a body, it is this person). A release that
    /// committed before is deleted here; one still running finds its hold on the entry broken and is
    /// retried without the identity.
    /// </summary>
    public async Task CommitAsync(GatewayDbContext unitOfWork, Forgotten? forgotten, CancellationToken cancellationToken)
    {
        // Inside the consumer's one transaction (ReadsAndWritesInOneTransaction).
        await unitOfWork.SaveChangesAsync(cancellationToken);
        if (forgotten is not { } person)
            return;
        var reference = person.Reference;
        await unitOfWork.Set<AgencyDelivery>().Where(d => d.Body.Contains(reference)).ExecuteDeleteAsync(cancellationToken);
        await unitOfWork.ForgetOutboxOfAsync(reference, cancellationToken);
        // A refusal notice carries what the sender sent only sealed for the sender: the gateway cannot
        // tell whether it names the person. Every notice to an agency of the person's territory made
        // before the purge goes (the refusal itself stays in the audit log, under ids and a reason).
        var agencies = person.Territory + "-";
        var purgedAt = person.PurgedAt;
        await unitOfWork
            .Set<AgencyDelivery>()
            .Where(d => d.Type == Ingress.IngressProcessor.RejectionType && d.Agency.StartsWith(agencies) && d.CreatedAt <= purgedAt)
            .ExecuteDeleteAsync(cancellationToken);
        var notices =
            Coordination.ServiceDefaults.Outbox.ServiceDbContextNames.TypeNameOf<Coordination.Contracts.Gateway.IngressRejected>();
        var sender = $"\"sourceAgency\":\"{agencies}";
        await unitOfWork
            .OutboxMessages.Where(m => m.MessageType == notices && m.Body.Contains(sender) && m.EnqueuedAt <= purgedAt)
            .ExecuteDeleteAsync(cancellationToken);
    }
}

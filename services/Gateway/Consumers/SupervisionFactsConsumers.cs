using Coordination.Contracts.Supervision;
using Coordination.Gateway.Application.Ingress;
using Coordination.Gateway.Application;
using Coordination.Gateway.Domain;
using Coordination.Gateway.Persistence;
using Coordination.ServiceDefaults.Outbox;
using Coordination.ServiceDefaults.Persistence;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Coordination.Gateway.Consumers;

/// <summary>
/// A fact about one case, read and written in one transaction: a purge committed in between cannot
/// be undone by it. A fact of a case already purged is dropped and counted, so that a late one does
/// not bring back an assignment or a known case (with the person's reference) the purge removed.
/// </summary>
public abstract class CaseFactConsumer<TMessage>(GatewayDbContext db, ILogger logger) : IdempotentConsumer<TMessage, GatewayDbContext>(db)
    where TMessage : class
{
    protected override bool ReadsAndWritesInOneTransaction => true;

    protected abstract Guid CaseOf(TMessage fact);

    protected sealed override async Task Handle(ConsumeContext<TMessage> context)
    {
        var caseId = CaseOf(context.Message);
        if (await Db.PurgedCases.AnyAsync(p => p.CaseId == caseId, context.CancellationToken))
        {
            LateFacts.Drop(logger, "gateway", typeof(TMessage).Name, caseId, context.MessageId);
            return;
        }
        await HandleFact(context);
    }

    protected abstract Task HandleFact(ConsumeContext<TMessage> context);
}

/// <summary>Who follows whom: kept so that the door checks a partner's messages against its own cases.</summary>
public sealed class PartnerAssignedConsumer(GatewayDbContext db, TimeProvider clock, ILogger<PartnerAssignedConsumer> logger)
    : CaseFactConsumer<PartnerAssigned>(db, logger)
{
    protected override Guid CaseOf(PartnerAssigned fact) => fact.CaseId;

    protected override async Task HandleFact(ConsumeContext<PartnerAssigned> context)
    {
        var fact = context.Message;
        var assignedAt = fact.AssignedAt ?? clock.GetUtcNow();
        var known = await Db.PartnerAssignments.SingleOrDefaultAsync(
            a => a.CaseId == fact.CaseId && a.Partner == fact.Partner.Value,
            context.CancellationToken
        );
        if (known is null)
        {
            Db.PartnerAssignments.Add(
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
public sealed class PartnerUnassignedConsumer(GatewayDbContext db, ILogger<PartnerUnassignedConsumer> logger)
    : CaseFactConsumer<PartnerUnassigned>(db, logger)
{
    protected override Guid CaseOf(PartnerUnassigned fact) => fact.CaseId;

    protected override async Task HandleFact(ConsumeContext<PartnerUnassigned> context)
    {
        var fact = context.Message;
        var known = await Db.PartnerAssignments.SingleOrDefaultAsync(
            a => a.CaseId == fact.CaseId && a.Partner == fact.Partner.Value,
            context.CancellationToken
        );
        if (known is null)
        {
            // Heard before the assignment it ends: the assignment, when it comes, is older and changes nothing.
            Db.PartnerAssignments.Add(
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
public sealed class CaseRestrictedConsumer(GatewayDbContext db, ILogger<CaseRestrictedConsumer> logger)
    : CaseFactConsumer<CaseRestricted>(db, logger)
{
    protected override Guid CaseOf(CaseRestricted fact) => fact.CaseId;

    protected override async Task HandleFact(ConsumeContext<CaseRestricted> context)
    {
        var fact = context.Message;
        var word = Coordination.Contracts.Values.ClosedList<CaseRestrictionReason>.WordOf(fact.Reason);
        var known = await Db.KnownCases.SingleOrDefaultAsync(c => c.CaseId == fact.CaseId, context.CancellationToken);
        if (known is null)
            Db.KnownCases.Add(
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
public sealed class SupervisionOpenedConsumer(GatewayDbContext db, TimeProvider clock, ILogger<SupervisionOpenedConsumer> logger)
    : CaseFactConsumer<SupervisionOpened>(db, logger)
{
    protected override Guid CaseOf(SupervisionOpened fact) => fact.CaseId;

    protected override async Task HandleFact(ConsumeContext<SupervisionOpened> context)
    {
        var fact = context.Message;
        var ct = context.CancellationToken;
        var known = await Db.KnownCases.SingleOrDefaultAsync(c => c.CaseId == fact.CaseId, ct);
        if (known is not null)
        {
            // Its end was heard first: it stays ended, and the vault entry may wait for a later designation's case.
            known.SentenceEnforcementJurisdiction ??= fact.SentenceEnforcementJurisdiction;
            known.OpenedAt ??= clock.GetUtcNow();
            // Only its restriction was heard first: the case is open, and the designation is answered.
            if (
                known.EndedAt is null
                && await Db.Vault.SingleOrDefaultAsync(v => v.Person == fact.Person, ct) is { AwaitingCase: true } waiting
            )
                waiting.AwaitingCase = false;
            return;
        }
        Db.KnownCases.Add(
            new KnownCase
            {
                CaseId = fact.CaseId,
                Person = fact.Person,
                Territory = fact.Territory,
                SentenceEnforcementJurisdiction = fact.SentenceEnforcementJurisdiction,
                OpenedAt = clock.GetUtcNow(),
            }
        );
        if (await Db.Vault.SingleOrDefaultAsync(v => v.Person == fact.Person, ct) is { AwaitingCase: true } entry)
            entry.AwaitingCase = false;
    }
}

/// <summary>
/// An ended case is followed by no one: its partners' messages are refused from now on, and the
/// person may be designated again.
/// </summary>
public sealed class SupervisionEndedConsumer(GatewayDbContext db, ILogger<SupervisionEndedConsumer> logger)
    : CaseFactConsumer<SupervisionEnded>(db, logger)
{
    protected override Guid CaseOf(SupervisionEnded fact) => fact.CaseId;

    protected override async Task HandleFact(ConsumeContext<SupervisionEnded> context)
    {
        var fact = context.Message;
        Db.PartnerAssignments.RemoveRange(
            await Db.PartnerAssignments.Where(a => a.CaseId == fact.CaseId).ToListAsync(context.CancellationToken)
        );
        var known = await Db.KnownCases.SingleOrDefaultAsync(c => c.CaseId == fact.CaseId, context.CancellationToken);
        if (known is null)
            Db.KnownCases.Add(
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
public sealed class SupervisionPurgedConsumer(GatewayDbContext db) : IdempotentConsumer<SupervisionPurged, GatewayDbContext>(db)
{
    private string? _forgotten;
    private string _territory = "";
    private DateTimeOffset _purgedAt;

    protected override bool ReadsAndWritesInOneTransaction => true;

    protected override async Task Handle(ConsumeContext<SupervisionPurged> context)
    {
        var purged = context.Message;
        var ct = context.CancellationToken;
        // The tombstone commits with the deletions: a fact of this case that comes later is dropped.
        if (!await Db.PurgedCases.AnyAsync(p => p.CaseId == purged.CaseId, ct))
            Db.PurgedCases.Add(new PurgedCase { CaseId = purged.CaseId, PurgedAt = purged.PurgedAt });
        Db.PartnerAssignments.RemoveRange(await Db.PartnerAssignments.Where(a => a.CaseId == purged.CaseId).ToListAsync(ct));
        Db.KnownCases.RemoveRange(await Db.KnownCases.Where(c => c.CaseId == purged.CaseId).ToListAsync(ct));
        if (!purged.LastCaseOfPerson)
            return;
        Db.Vault.RemoveRange(await Db.Vault.Where(v => v.Person == purged.Person).ToListAsync(ct));
        _forgotten = purged.Person.Value;
        _territory = purged.Person.Territory.Value;
        _purgedAt = purged.PurgedAt;
    }

    /// <summary>
    /// The vault entry goes first, then, in the same transaction, every mailbox entry naming the
    /// reference (26 random characters: found anywhere in a body, it is this person). A release that
    /// committed before is deleted here; one still running finds its hold on the entry broken and is
    /// retried without the identity.
    /// </summary>
    protected override async Task CommitAsync(CancellationToken cancellationToken)
    {
        // Inside the consumer's one transaction (ReadsAndWritesInOneTransaction).
        await Db.SaveChangesAsync(cancellationToken);
        if (_forgotten is not { } reference)
            return;
        await Db.Set<Coordination.Gateway.Domain.AgencyDelivery>().Where(d => d.Body.Contains(reference)).ExecuteDeleteAsync(cancellationToken);
        await Db.ForgetOutboxOfAsync(reference, cancellationToken);
        // A refusal notice carries what the sender sent only sealed for the sender: the gateway cannot
        // tell whether it names the person. Every notice to an agency of the person's territory made
        // before the purge goes (the refusal itself stays in the audit log, under ids and a reason).
        var agencies = _territory + "-";
        await Db.Set<Coordination.Gateway.Domain.AgencyDelivery>()
            .Where(d => d.Type == IngressProcessor.RejectionType && d.Agency.StartsWith(agencies) && d.CreatedAt <= _purgedAt)
            .ExecuteDeleteAsync(cancellationToken);
        var notices =
            Coordination.ServiceDefaults.Outbox.ServiceDbContextNames.TypeNameOf<Coordination.Contracts.Gateway.IngressRejected>();
        var sender = $"\"sourceAgency\":\"{agencies}";
        await Db
            .OutboxMessages.Where(m => m.MessageType == notices && m.Body.Contains(sender) && m.EnqueuedAt <= _purgedAt)
            .ExecuteDeleteAsync(cancellationToken);
    }
}

using Coordination.Contracts.Supervision;
using Coordination.ServiceDefaults.Messaging;
using Coordination.ServiceDefaults.Outbox;
using Coordination.ServiceDefaults.Sealing;
using Coordination.Supervision.Domain;
using Coordination.Supervision.Persistence;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Coordination.Supervision.Consumers;

/// <summary>A designation forwarded by the gateway opens a case; the grounds open with this service's own key only.</summary>
public sealed class DesignatePersonConsumer(SupervisionDbContext db, SealingKeyStore keys, TimeProvider clock)
    : IdempotentConsumer<DesignatePerson, SupervisionDbContext>(db)
{
    public const string KeyOwner = "supervision";
    public const string Purpose = "community-supervision";

    /// <summary>
    /// The conflict check rests on what it reads: two copies of one designation handled at once (two
    /// instances, a relay sending a row again) would both miss the inbox entry, and the later one would
    /// find the earlier one's case and send its own message to the error queue as a conflict.
    /// </summary>
    protected override bool ReadsAndWritesInOneTransaction => true;

    protected override async Task Handle(ConsumeContext<DesignatePerson> context)
    {
        var designation = context.Message;
        if (await Db.Cases.AnyAsync(c => c.Person == designation.Person && c.Status == CaseStatus.Open, context.CancellationToken))
            throw new MessageRejectedException(Coordination.Contracts.ReasonCodes.DesignationConflict, "a case is already open for this person; withdraw it before designating again.");

        List<DesignationGround> grounds;
        try
        {
            using var ring = keys.RingFor(KeyOwner);
            grounds = PayloadSealer.OpenJson<List<DesignationGround>>(designation.Grounds, ring, Purpose, context.MessageId!.Value);
        }
        catch (SealingException e)
        {
            throw new MessageRejectedException(e.ReasonCode, "the designation grounds cannot be opened by this service.");
        }

        var opened = SupervisionCase.Open(NewId.NextGuid(), designation, grounds, clock.GetUtcNow());
        Db.Cases.Add(opened);
        Db.PublishOnCommit(opened.Opened(), context);
        // The designating authority learns the reference it will need (and the gateway adds its own reference from the vault).
        if (PartnerInformation.Notice(opened, Coordination.Contracts.Gateway.CaseNotice.DesignationAccepted, keys) is { } receipt)
            Db.PublishOnCommit(receipt.Request, context, messageId: receipt.MessageId);
    }
}

/// <summary>The judicial authority withdraws its designation: the case ends.</summary>
public sealed class WithdrawDesignationConsumer(SupervisionDbContext db, SealingKeyStore keys, TimeProvider clock, IOptions<SupervisionOptions> options)
    : IdempotentConsumer<WithdrawDesignation, SupervisionDbContext>(db)
{
    protected override async Task Handle(ConsumeContext<WithdrawDesignation> context)
    {
        var open = await Db.Cases.SingleOrDefaultAsync(c => c.Person == context.Message.Person && c.Status == CaseStatus.Open, context.CancellationToken)
            ?? throw new MessageRejectedException("no-open-case", "no open case for this person.");
        Db.PublishOnCommit(open.End(SupervisionEndReason.DesignationWithdrawn, clock.GetUtcNow(), options.Value.RetentionPeriod), context);
        Db.NotifyEnded(open, keys, context);
    }
}

/// <summary>A conduct report (law 2017-258) joins the open case; it must open with this service's key, and stays sealed at rest.</summary>
public sealed class DetentionConductReportedConsumer(SupervisionDbContext db, SealingKeyStore keys, TimeProvider clock)
    : IdempotentConsumer<DetentionConductReported, SupervisionDbContext>(db)
{
    protected override async Task Handle(ConsumeContext<DetentionConductReported> context)
    {
        // Not a rejection: the designation may still be on its way; bounded retries, then the error queue.
        var open = await Db.Cases.WithFollowUp()
            .SingleOrDefaultAsync(c => c.Person == context.Message.Person && c.Status == CaseStatus.Open, context.CancellationToken)
            ?? throw new InvalidOperationException("no-open-case: no open case for this person yet.");
        try
        {
            using var ring = keys.RingFor(DesignatePersonConsumer.KeyOwner);
            PayloadSealer.Open(context.Message.Report, ring, DesignatePersonConsumer.Purpose, context.MessageId!.Value);
        }
        catch (SealingException e)
        {
            throw new MessageRejectedException(e.ReasonCode, "the conduct report cannot be opened by this service.");
        }
        open.Receive(new ConductReport
        {
            Id = NewId.NextGuid(),
            MessageId = context.MessageId!.Value,
            ReceivedAt = clock.GetUtcNow(),
            SealedReport = System.Text.Json.JsonSerializer.Serialize(context.Message.Report),
        });
    }
}

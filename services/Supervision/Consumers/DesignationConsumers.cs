using Coordination.Contracts.Supervision;
using Coordination.ServiceDefaults.Outbox;
using Coordination.Supervision.Application;
using Coordination.Supervision.Persistence;
using MassTransit;

namespace Coordination.Supervision.Consumers;

/// <summary>A designation forwarded by the gateway opens a case (<see cref="DesignatePersonHandler"/>).</summary>
public sealed class DesignatePersonConsumer(SupervisionDbContext db, DesignatePersonHandler handler)
    : IdempotentConsumer<DesignatePerson, SupervisionDbContext>(db)
{
    public const string KeyOwner = DesignatePersonHandler.KeyOwner;
    public const string Purpose = DesignatePersonHandler.Purpose;

    /// <summary>
    /// The conflict check rests on what it reads: two copies of one designation handled at once (two
    /// instances, a relay sending a row again) would both miss the inbox entry, and the later one would
    /// find the earlier one's case and send its own message to the error queue as a conflict.
    /// </summary>
    protected override bool ReadsAndWritesInOneTransaction => true;

    protected override Task Handle(ConsumeContext<DesignatePerson> context) => handler.HandleAsync(Db, context.Message, context);
}

/// <summary>
/// Nothing of its own: its queue, bounded retries and error queue are the platform's conventions
/// (<c>AddCoordinationConsumers</c>); a refused designation is a broken rule, which is never retried.
/// </summary>
public sealed class DesignatePersonConsumerDefinition : ConsumerDefinition<DesignatePersonConsumer>;

/// <summary>The judicial authority withdraws its designation: the case ends (<see cref="WithdrawDesignationHandler"/>).</summary>
public sealed class WithdrawDesignationConsumer(SupervisionDbContext db, WithdrawDesignationHandler handler)
    : IdempotentConsumer<WithdrawDesignation, SupervisionDbContext>(db)
{
    protected override Task Handle(ConsumeContext<WithdrawDesignation> context) => handler.HandleAsync(Db, context.Message, context);
}

/// <summary>Nothing of its own: the platform's queue, retries and error queue (<c>AddCoordinationConsumers</c>) serve it.</summary>
public sealed class WithdrawDesignationConsumerDefinition : ConsumerDefinition<WithdrawDesignationConsumer>;

/// <summary>A conduct report (law 2017-258) joins the open case (<see cref="DetentionConductReportedHandler"/>).</summary>
public sealed class DetentionConductReportedConsumer(SupervisionDbContext db, DetentionConductReportedHandler handler)
    : IdempotentConsumer<DetentionConductReported, SupervisionDbContext>(db)
{
    protected override Task Handle(ConsumeContext<DetentionConductReported> context) => handler.HandleAsync(Db, context.Message, context);
}

/// <summary>
/// Nothing of its own: a report that arrives before its designation waits on the platform's bounded
/// retries (<c>AddCoordinationConsumers</c>), then in the error queue, like any message that cannot be applied yet.
/// </summary>
public sealed class DetentionConductReportedConsumerDefinition : ConsumerDefinition<DetentionConductReportedConsumer>;

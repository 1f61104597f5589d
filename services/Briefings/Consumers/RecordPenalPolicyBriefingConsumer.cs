using Coordination.Briefings.Application;
using Coordination.Briefings.Persistence;
using Coordination.Contracts.Briefings;
using Coordination.ServiceDefaults.Outbox;
using MassTransit;

namespace Coordination.Briefings.Consumers;

/// <summary>A briefing the prosecutor's office sent over AMQP, forwarded by the gateway (<see cref="RecordBriefingHandler"/>).</summary>
public sealed class RecordPenalPolicyBriefingConsumer(BriefingsDbContext db, RecordBriefingHandler handler)
    : IdempotentConsumer<RecordPenalPolicyBriefing, BriefingsDbContext>(db)
{
    protected override Task Handle(ConsumeContext<RecordPenalPolicyBriefing> context) => handler.HandleAsync(Db, context.Message, context);
}

/// <summary>
/// The platform's queue, bounded retries and error queue (<c>AddCoordinationConsumers</c>); a briefing
/// that breaks a rule is never retried. Its own: as many in flight as the writer may commit together.
/// </summary>
public sealed class RecordPenalPolicyBriefingConsumerDefinition : ConsumerDefinition<RecordPenalPolicyBriefingConsumer>
{
    // The writer batches what is waiting: a lower limit would leave its batches half empty.
    public RecordPenalPolicyBriefingConsumerDefinition() => ConcurrentMessageLimit = 64;
}

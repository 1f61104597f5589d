using Coordination.Briefings.Domain;
using Coordination.Briefings.Persistence;
using Coordination.Contracts.Briefings;
using Coordination.ServiceDefaults.Messaging;
using Coordination.ServiceDefaults.Outbox;
using MassTransit;

namespace Coordination.Briefings.Consumers;

public sealed class RecordPenalPolicyBriefingConsumer(BriefingsDbContext db, TimeProvider clock)
    : IdempotentConsumer<RecordPenalPolicyBriefing, BriefingsDbContext>(db)
{
    protected override Task Handle(ConsumeContext<RecordPenalPolicyBriefing> context)
    {
        var outcome = PenalPolicyBriefing.Record(context.Message, NewId.NextGuid(), clock.GetUtcNow());
        if (outcome.Briefing is null)
        {
            var first = outcome.Violations[0];
            throw new MessageRejectedException(first.ReasonCode, string.Join(" ", outcome.Violations.Select(v => $"{v.Field}: {v.Message}")));
        }
        Db.Briefings.Add(outcome.Briefing);
        Db.PublishOnCommit(outcome.Briefing.Recorded(), context);
        return Task.CompletedTask;
    }
}

public sealed class RecordPenalPolicyBriefingConsumerDefinition : ConsumerDefinition<RecordPenalPolicyBriefingConsumer>
{
    // As many in flight as the writer may commit together: the writer batches what is waiting.
    public RecordPenalPolicyBriefingConsumerDefinition() => ConcurrentMessageLimit = 64;
}

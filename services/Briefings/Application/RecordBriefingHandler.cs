using Coordination.Briefings.Domain;
using Coordination.Briefings.Persistence;
using Coordination.Contracts.Briefings;
using MassTransit;

namespace Coordination.Briefings.Application;

/// <summary>
/// A briefing the prosecutor's office records, through the API or over AMQP: it counts for its year
/// once every rule is met, and <see cref="PenalPolicyBriefingRecorded"/> goes out in the same commit.
/// </summary>
/// <remarks>
/// The API's request saves through the scope's context, given by constructor. A consumed message is
/// applied to the context of the consumer's unit of work, given with it: during a group commit that
/// is the writer's, which commits the change with the inbox entry.
/// </remarks>
public sealed class RecordBriefingHandler(BriefingsDbContext db, TimeProvider clock)
{
    /// <summary>Records and saves the briefing, or records nothing and names every broken rule.</summary>
    public async Task<BriefingOutcome> RecordAsync(RecordPenalPolicyBriefing command, CancellationToken cancellationToken)
    {
        var outcome = PenalPolicyBriefing.Record(command, NewId.NextGuid(), clock.GetUtcNow());
        if (outcome.Briefing is null)
            return outcome;
        db.Briefings.Add(outcome.Briefing);
        db.PublishOnCommit(outcome.Briefing.Recorded());
        await db.SaveChangesAsync(cancellationToken);
        return outcome;
    }

    /// <summary>Stages the briefing and its announcement on <paramref name="unitOfWork"/>; a broken rule refuses the message.</summary>
    public Task HandleAsync(BriefingsDbContext unitOfWork, RecordPenalPolicyBriefing command, ConsumeContext cause)
    {
        var outcome = PenalPolicyBriefing.Record(command, NewId.NextGuid(), clock.GetUtcNow());
        var briefing = outcome.Briefing ?? throw BriefingRules.Refusal(outcome.Violations);
        unitOfWork.Briefings.Add(briefing);
        unitOfWork.PublishOnCommit(briefing.Recorded(), cause);
        return Task.CompletedTask;
    }
}

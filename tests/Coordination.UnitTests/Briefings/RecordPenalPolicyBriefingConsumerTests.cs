using Coordination.Contracts;
using Coordination.Contracts.Briefings;
using Coordination.Testing;
using Coordination.UnitTests.Support;
using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;

namespace Coordination.UnitTests.Briefings;

public sealed class RecordPenalPolicyBriefingConsumerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_same_briefing_delivered_three_times_is_recorded_once_and_announced_once()
    {
        await using var service = await BriefingsHarness.StartAsync(Now);
        var deliveries = ConsumeCounter<RecordPenalPolicyBriefing>.On(service.Harness.Bus);
        var messageId = NewId.NextGuid();
        var command = BriefingRulesTests.Valid();

        for (var i = 0; i < 3; i++)
            await service.Harness.Bus.Publish(command, ctx => ctx.MessageId = messageId);

        await Poller.UntilAsync(() => deliveries.Consumed == 3, "three deliveries consumed");
        await Poller.UntilAsync(async () => await service.UnsentOutboxCount() == 0, "the outbox relay drained");

        Assert.Empty(deliveries.Faults);
        Assert.Equal(1, await service.Query(db => db.Briefings.CountAsync()));
        Assert.Equal(1, await service.Query(db => db.OutboxMessages.CountAsync()));
        Assert.Equal(1, await service.Query(db => db.InboxEntries.CountAsync()));
        var announced = Assert.Single(service.Harness.Published.Select<PenalPolicyBriefingRecorded>());
        Assert.Equal(command.Summary, announced.Context.Message.Summary);
    }

    [Fact]
    public async Task Two_different_briefings_are_both_recorded()
    {
        await using var service = await BriefingsHarness.StartAsync(Now);
        var deliveries = ConsumeCounter<RecordPenalPolicyBriefing>.On(service.Harness.Bus);
        await service.Harness.Bus.Publish(BriefingRulesTests.Valid("75"));
        await service.Harness.Bus.Publish(BriefingRulesTests.Valid("93"));
        await Poller.UntilAsync(() => deliveries.Consumed == 2, "two deliveries consumed");
        Assert.Equal(
            ["75", "93"],
            await service
                .Query(db => db.Briefings.Select(b => b.Territory).ToListAsync())
                .ContinueWith(t => t.Result.Select(x => x.Value).Order().ToList())
        );
    }

    [Fact]
    public async Task A_briefing_dated_in_the_future_is_rejected_with_its_reason_and_changes_nothing()
    {
        await using var service = await BriefingsHarness.StartAsync(Now);
        var deliveries = ConsumeCounter<RecordPenalPolicyBriefing>.On(service.Harness.Bus);

        await service.Harness.Bus.Publish(BriefingRulesTests.Valid(on: new DateOnly(2027, 1, 15)));

        await Poller.UntilAsync(() => !deliveries.Faults.IsEmpty, "the consumer to refuse the message");
        var fault = Assert.Single(deliveries.Faults.DistinctBy(f => f.Message));
        Assert.StartsWith(ReasonCodes.DateInFuture, fault.Message);
        Assert.Equal(0, await service.Query(db => db.Briefings.CountAsync()));
        Assert.Equal(0, await service.Query(db => db.OutboxMessages.CountAsync()));
        Assert.Equal(0, await service.Query(db => db.InboxEntries.CountAsync()));
    }
}

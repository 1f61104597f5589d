using Coordination.Contracts.Briefings;
using Coordination.Testing;
using Coordination.UnitTests.Support;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;

namespace Coordination.UnitTests.Briefings;

public sealed class AnnualBriefingDeadlineTests
{
    [Fact]
    public async Task A_territory_without_a_briefing_is_warned_before_the_year_ends_and_flagged_after()
    {
        // 20 November 2026 in Paris; due alerts 30 days before the year ends: 1 December, 23:00 UTC.
        await using var service = await BriefingsHarness.StartAsync(new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.Zero));
        var deliveries = ConsumeCounter<RecordPenalPolicyBriefing>.On(service.Harness.Bus);
        await service.Harness.Bus.Publish(BriefingRulesTests.Valid("75", new DateOnly(2026, 3, 2)));
        await Poller.UntilAsync(() => deliveries.Consumed == 1, "the Paris briefing recorded");
        await Poller.UntilAsync(async () => await service.Query(db => db.Deadlines.CountAsync()) == 4, "deadlines kept for 75 and 93");

        Assert.Empty(service.Harness.Published.Select<AnnualBriefingDue>());
        await AdvanceUntil(
            service,
            new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero),
            () => service.Harness.Published.Select<AnnualBriefingDue>().Any(),
            "AnnualBriefingDue"
        );

        var due = Assert.Single(service.Harness.Published.Select<AnnualBriefingDue>()).Context.Message;
        Assert.Equal(("93", 2026), (due.Territory.Value, due.Year));
        Assert.Empty(service.Harness.Published.Select<AnnualBriefingOverdue>());

        await AdvanceUntil(
            service,
            new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero),
            () => service.Harness.Published.Select<AnnualBriefingOverdue>().Any(),
            "AnnualBriefingOverdue"
        );
        var overdue = Assert.Single(service.Harness.Published.Select<AnnualBriefingOverdue>()).Context.Message;
        Assert.Equal(("93", 2026), (overdue.Territory.Value, overdue.Year));
        Assert.Single(service.Harness.Published.Select<AnnualBriefingDue>());

        // The new year has its own deadlines, kept as rows.
        await Poller.UntilAsync(async () => await service.Query(db => db.Deadlines.CountAsync(d => d.Year == 2027)) == 4, "2027 deadlines");
    }

    [Fact]
    public async Task An_alert_missed_while_the_service_was_down_is_raised_when_it_comes_back()
    {
        await using var service = await BriefingsHarness.StartAsync(new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero));
        await Poller.UntilAsync(async () => await service.Query(db => db.Deadlines.CountAsync()) == 4, "deadlines kept");

        // One jump over both deadlines, as after a long outage: only the overdue alert is worth raising.
        await AdvanceUntil(
            service,
            new DateTimeOffset(2027, 1, 10, 0, 0, 0, TimeSpan.Zero),
            () => service.Harness.Published.Select<AnnualBriefingOverdue>().Count() == 2,
            "both territories overdue"
        );
        Assert.Empty(service.Harness.Published.Select<AnnualBriefingDue>());
    }

    private static async Task AdvanceUntil(BriefingsHarness service, DateTimeOffset to, Func<bool> condition, string waitingFor)
    {
        service.Clock.SetUtcNow(to);
        // The poller may have been between passes when the clock jumped: nudge it one interval at a time.
        await Poller.UntilAsync(
            async () =>
            {
                if (condition() && await service.UnsentOutboxCount() == 0)
                    return true;
                service.Clock.Advance(TimeSpan.FromMinutes(1));
                return false;
            },
            waitingFor
        );
    }
}

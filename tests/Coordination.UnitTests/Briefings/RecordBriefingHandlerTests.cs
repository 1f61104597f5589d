using Coordination.Briefings.Application;
using Coordination.Briefings.Persistence;
using Coordination.Contracts;
using Coordination.Contracts.Briefings;
using Coordination.ServiceDefaults.Rules;
using Coordination.UnitTests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Coordination.UnitTests.Briefings;

/// <summary>
/// The handler on its own, without the bus: what it stages on the unit of work it is given, what it
/// saves on the API's path, and what it refuses.
/// </summary>
public sealed class RecordBriefingHandlerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_consumed_briefing_is_staged_with_its_announcement_on_the_unit_of_work_and_saved_only_with_it()
    {
        await using var service = await BriefingsHarness.StartAsync(
            Now,
            new Dictionary<string, string?> { ["Outbox:RelayEnabled"] = "false" }
        );
        await using var scope = service.Services.CreateAsyncScope();
        var handler = scope.ServiceProvider.GetRequiredService<RecordBriefingHandler>();
        var unitOfWork = scope.ServiceProvider.GetRequiredService<BriefingsDbContext>();
        var cause = FakeCause.New();

        await handler.HandleAsync(unitOfWork, BriefingRulesTests.Valid("93"), cause);

        // Staged, not committed: the consumer commits it with the inbox entry.
        Assert.Equal(0, await service.Query(db => db.Briefings.CountAsync()));
        var staged = Assert.Single(unitOfWork.ChangeTracker.Entries<Coordination.ServiceDefaults.Outbox.OutboxMessage>()).Entity;
        Assert.EndsWith(nameof(PenalPolicyBriefingRecorded), staged.MessageType.Split(',')[0]);
        Assert.Equal(FakeCause.Of(cause).ConversationId, staged.ConversationId);
        Assert.Equal(FakeCause.Of(cause).CorrelationId, staged.CorrelationId);

        await unitOfWork.SaveChangesAsync();
        var recorded = await service.Query(db => db.Briefings.SingleAsync());
        Assert.Equal("93", recorded.Territory.Value);
        Assert.Equal(1, await service.UnsentOutboxCount());
    }

    [Fact]
    public async Task A_consumed_briefing_that_breaks_a_rule_is_refused_with_its_reason_code_and_stages_nothing()
    {
        await using var service = await BriefingsHarness.StartAsync(Now);
        await using var scope = service.Services.CreateAsyncScope();
        var handler = scope.ServiceProvider.GetRequiredService<RecordBriefingHandler>();
        var unitOfWork = scope.ServiceProvider.GetRequiredService<BriefingsDbContext>();

        var refusal = await Assert.ThrowsAsync<RuleViolation>(() =>
            handler.HandleAsync(unitOfWork, BriefingRulesTests.Valid(on: new DateOnly(2027, 1, 15)), FakeCause.New())
        );

        Assert.Equal(ReasonCodes.DateInFuture, refusal.ReasonCode);
        Assert.Equal("briefedOn", refusal.Field, ignoreCase: true);
        Assert.Empty(unitOfWork.ChangeTracker.Entries());
    }

    [Fact]
    public async Task On_the_apis_path_a_briefing_is_saved_with_its_announcement_and_a_broken_rule_saves_nothing()
    {
        await using var service = await BriefingsHarness.StartAsync(
            Now,
            new Dictionary<string, string?> { ["Outbox:RelayEnabled"] = "false" }
        );
        await using (var scope = service.Services.CreateAsyncScope())
        {
            var refused = await scope
                .ServiceProvider.GetRequiredService<RecordBriefingHandler>()
                .RecordAsync(BriefingRulesTests.Valid(on: new DateOnly(2027, 1, 15)), CancellationToken.None);
            Assert.Null(refused.Briefing);
            Assert.Contains(refused.Violations, v => v.ReasonCode == ReasonCodes.DateInFuture);
        }
        Assert.Equal(0, await service.Query(db => db.Briefings.CountAsync()));
        Assert.Equal(0, await service.UnsentOutboxCount());

        await using (var scope = service.Services.CreateAsyncScope())
        {
            var recorded = await scope
                .ServiceProvider.GetRequiredService<RecordBriefingHandler>()
                .RecordAsync(BriefingRulesTests.Valid("75"), CancellationToken.None);
            Assert.NotNull(recorded.Briefing);
        }
        Assert.Equal(1, await service.Query(db => db.Briefings.CountAsync()));
        Assert.Equal(1, await service.UnsentOutboxCount());
    }
}

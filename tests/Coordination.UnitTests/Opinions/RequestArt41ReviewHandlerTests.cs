using Coordination.Contracts.Values;
using Coordination.Opinions.Application;
using Coordination.Opinions.Domain;
using Coordination.Opinions.Persistence;
using Coordination.ServiceDefaults.Rules;
using Coordination.UnitTests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Coordination.UnitTests.Opinions;

/// <summary>
/// The handler that opens an art. 41-1 review (2°), without the bus: one review at a time per measure, territory and period.
/// </summary>
public sealed class RequestArt41ReviewHandlerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task An_opened_review_is_saved_with_its_deadline_and_announcement_and_a_second_request_for_its_period_is_a_conflict()
    {
        await using var service = await OpinionsHarness.StartAsync(
            Now,
            new Dictionary<string, string?> { ["Outbox:RelayEnabled"] = "false" }
        );
        var first = Art41ReviewTests.Request();
        await using (var scope = service.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<RequestArt41ReviewHandler>().OpenAsync(first, "75-secretariat", default);

        Assert.Equal(first.ReviewId, (await service.Query(db => db.Reviews.SingleAsync())).Id);
        Assert.Equal(1, await service.Query(db => db.Deadlines.CountAsync()));
        Assert.Equal(1, await service.UnsentOutboxCount());

        // The prosecutor's request for the same measure and period, over the bus: refused before anything is staged.
        await using (var scope = service.Services.CreateAsyncScope())
        {
            var unitOfWork = scope.ServiceProvider.GetRequiredService<OpinionsDbContext>();
            var again = first with { ReviewId = Guid.NewGuid() };
            var refusal = await Assert.ThrowsAsync<RuleViolation>(() =>
                scope
                    .ServiceProvider.GetRequiredService<RequestArt41ReviewHandler>()
                    .StageAsync(unitOfWork, again, "75-prosecutor", FakeCause.New(), default)
            );
            Assert.Equal(ReviewReasons.ReviewConflict, refusal.ReasonCode);
            Assert.Equal(ViolationKind.StateConflict, refusal.Kind);
            Assert.DoesNotContain(unitOfWork.ChangeTracker.Entries(), e => e.State != EntityState.Unchanged);
        }

        // Another measure kind for the same period is a review of its own.
        await using (var scope = service.Services.CreateAsyncScope())
            await scope
                .ServiceProvider.GetRequiredService<RequestArt41ReviewHandler>()
                .OpenAsync(Art41ReviewTests.Request(measure: Art41MeasureKind.DamageRepair), "75-secretariat", default);
        Assert.Equal(2, await service.Query(db => db.Reviews.CountAsync()));
    }
}

using Coordination.Contracts.Supervision;
using Coordination.Contracts.Values;
using Coordination.ServiceDefaults.Rules;
using Coordination.Supervision;
using Coordination.Supervision.Application;
using Coordination.Supervision.Persistence;
using Coordination.UnitTests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Coordination.UnitTests.Supervision;

public sealed class SupervisionHarness : ServiceHarness<SupervisionDbContext>
{
    private SupervisionHarness((WebApplication App, string Folder, FakeTimeProvider Clock) started)
        : base(started.App, started.Folder, started.Clock) { }

    public static async Task<SupervisionHarness> StartAsync(DateTimeOffset now) =>
        new(await StartAppAsync(now, b => b.AddSupervisionService(), null));
}

/// <summary>
/// A partner's follow-up for a person with no open case (never designated, or the case ended) is a state
/// conflict, refused with its reason code; nothing is staged, so no partner learns anything of it.
/// </summary>
public sealed class FollowUpHandlerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_control_for_a_person_with_no_open_case_is_refused_as_a_conflict_and_stages_nothing()
    {
        await using var service = await SupervisionHarness.StartAsync(Now);
        await using var scope = service.Services.CreateAsyncScope();
        var unitOfWork = scope.ServiceProvider.GetRequiredService<SupervisionDbContext>();
        var handler = ActivatorUtilities.CreateInstance<RecordControlHandler>(scope.ServiceProvider);

        var refusal = await Assert.ThrowsAsync<RuleViolation>(() =>
            handler.HandleAsync(
                unitOfWork,
                new RecordControl
                {
                    ControlId = Guid.NewGuid(),
                    Person = PersonRef.New(TerritoryCode.Parse("75")),
                    Partner = PartnerId.Parse("75-spip"),
                    ControlledOn = new DateOnly(2026, 11, 20),
                    Outcome = ControlOutcome.Compliant,
                },
                FakeCause.New()
            )
        );

        Assert.Equal("no-open-case", refusal.ReasonCode);
        Assert.Equal(ViolationKind.StateConflict, refusal.Kind);
        Assert.Equal("person", refusal.Field);
        Assert.Empty(unitOfWork.ChangeTracker.Entries());
    }
}

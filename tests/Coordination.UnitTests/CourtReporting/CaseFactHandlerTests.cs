using Coordination.Contracts.Supervision;
using Coordination.Contracts.Values;
using Coordination.CourtReporting;
using Coordination.CourtReporting.Application;
using Coordination.CourtReporting.Domain;
using Coordination.CourtReporting.Persistence;
using Coordination.UnitTests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Coordination.UnitTests.CourtReporting;

public sealed class CourtReportingHarness : ServiceHarness<CourtReportingDbContext>
{
    private CourtReportingHarness((WebApplication App, string Folder, FakeTimeProvider Clock) started)
        : base(started.App, started.Folder, started.Clock) { }

    public static async Task<CourtReportingHarness> StartAsync(DateTimeOffset now) =>
        new(await StartAppAsync(now, b => b.AddCourtReportingService(), null));
}

/// <summary>
/// The handlers that build the picture 4° reports from, each on the unit of work it is given: facts may
/// come in any order (Supervision's queues are not ordered across types), and a fact delivered twice
/// counts once.
/// </summary>
public sealed class CaseFactHandlerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private static readonly TerritoryCode Paris = TerritoryCode.Parse("75");

    private static async Task<T> Handle<T>(CourtReportingHarness service, Func<CourtReportingDbContext, IServiceProvider, Task<T>> step)
    {
        await using var scope = service.Services.CreateAsyncScope();
        var unitOfWork = scope.ServiceProvider.GetRequiredService<CourtReportingDbContext>();
        var result = await step(unitOfWork, scope.ServiceProvider);
        await unitOfWork.SaveChangesAsync();
        return result;
    }

    private static THandler HandlerOf<THandler>(IServiceProvider services) => ActivatorUtilities.CreateInstance<THandler>(services);

    private static ControlRecorded Control(Guid caseId, PersonRef person, Guid controlId, ControlOutcome outcome) =>
        new()
        {
            CaseId = caseId,
            ControlId = controlId,
            Person = person,
            Partner = PartnerId.Parse("75-spip"),
            ControlledOn = new DateOnly(2026, 11, 20),
            Outcome = outcome,
        };

    [Fact]
    public async Task A_control_that_comes_before_the_cases_opening_waits_for_it_and_is_counted_in_the_cases_jurisdiction()
    {
        await using var service = await CourtReportingHarness.StartAsync(Now);
        var caseId = Guid.NewGuid();
        var person = PersonRef.New(Paris);
        var controlId = Guid.NewGuid();

        await Handle(
            service,
            async (db, s) =>
            {
                await HandlerOf<ControlRecordedHandler>(s)
                    .HandleAsync(db, Control(caseId, person, controlId, ControlOutcome.Missed), default);
                return 0;
            }
        );
        var early = await service.Query(db => db.Facts.SingleAsync(f => f.CaseId == caseId));
        Assert.Equal(FactKind.ControlMissed, early.Kind);
        Assert.Equal("", early.Jurisdiction);
        Assert.True((await service.Query(db => db.Cases.SingleAsync(c => c.CaseId == caseId))).AwaitsOpening);

        await Handle(
            service,
            async (db, s) =>
            {
                await HandlerOf<SupervisionOpenedHandler>(s)
                    .HandleAsync(
                        db,
                        new SupervisionOpened
                        {
                            CaseId = caseId,
                            Person = person,
                            Territory = Paris,
                            SentenceEnforcementJurisdiction = "tj-paris",
                            ReleaseDate = new DateOnly(2026, 10, 1),
                            MeasureEndsOn = new DateOnly(2027, 10, 1),
                        },
                        default
                    );
                return 0;
            }
        );
        Assert.Equal("tj-paris", (await service.Query(db => db.Facts.SingleAsync(f => f.CaseId == caseId))).Jurisdiction);
        var picture = await service.Query(db => db.Cases.SingleAsync(c => c.CaseId == caseId));
        Assert.False(picture.AwaitsOpening);
        Assert.Equal("tj-paris", picture.Jurisdiction);
    }

    [Fact]
    public async Task A_control_delivered_twice_counts_once_and_a_postponed_one_counts_as_nothing_done()
    {
        await using var service = await CourtReportingHarness.StartAsync(Now);
        var caseId = Guid.NewGuid();
        var person = PersonRef.New(Paris);
        var controlId = Guid.NewGuid();

        for (var delivery = 0; delivery < 2; delivery++)
            await Handle(
                service,
                async (db, s) =>
                {
                    await HandlerOf<ControlRecordedHandler>(s)
                        .HandleAsync(db, Control(caseId, person, controlId, ControlOutcome.Compliant), default);
                    return 0;
                }
            );
        await Handle(
            service,
            async (db, s) =>
            {
                await HandlerOf<ControlRecordedHandler>(s)
                    .HandleAsync(db, Control(caseId, person, Guid.NewGuid(), ControlOutcome.Postponed), default);
                return 0;
            }
        );

        var facts = await service.Query(db => db.Facts.Where(f => f.CaseId == caseId).ToListAsync());
        var done = Assert.Single(facts);
        Assert.Equal(FactKind.ControlDone, done.Kind);
        Assert.Equal(controlId, done.Id);
    }

    [Fact]
    public async Task A_partner_assigned_twice_is_in_place_once_and_is_gone_once_unassigned()
    {
        await using var service = await CourtReportingHarness.StartAsync(Now);
        var caseId = Guid.NewGuid();
        var person = PersonRef.New(Paris);
        var partner = PartnerId.Parse("75-mission-locale");

        for (var delivery = 0; delivery < 2; delivery++)
            await Handle(
                service,
                async (db, s) =>
                {
                    await HandlerOf<PartnerAssignedHandler>(s)
                        .HandleAsync(
                            db,
                            new PartnerAssigned
                            {
                                CaseId = caseId,
                                Person = person,
                                Partner = partner,
                                Role = PartnerRole.LocalAuthority,
                            },
                            default
                        );
                    return 0;
                }
            );
        var inPlace = (await service.Query(db => db.Cases.SingleAsync(c => c.CaseId == caseId))).Partners;
        Assert.Equal([new PartnerInPlace(partner.Value, PartnerRole.LocalAuthority)], inPlace);

        await Handle(
            service,
            async (db, s) =>
            {
                await HandlerOf<PartnerUnassignedHandler>(s)
                    .HandleAsync(
                        db,
                        new PartnerUnassigned
                        {
                            CaseId = caseId,
                            Person = person,
                            Partner = partner,
                            UnassignedAt = Now,
                        },
                        default
                    );
                return 0;
            }
        );
        Assert.Empty((await service.Query(db => db.Cases.SingleAsync(c => c.CaseId == caseId))).Partners);
    }
}

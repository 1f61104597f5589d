using System.Net.Http.Json;
using Coordination.Briefings.Api;
using Coordination.Briefings.Persistence;
using Coordination.Contracts.Briefings;
using Coordination.Contracts.Values;
using Coordination.IntegrationTests.Support;
using Coordination.Testing;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Coordination.IntegrationTests.EndToEnd;

/// <summary>
/// A service's bus starts beside its database's migration (EarlyStart), not after it: its consumers
/// still wait until every hosted service registered before the bus's place has started.
/// </summary>
public sealed class StartUpOrderTests
{
    [Fact]
    public async Task A_briefing_published_while_the_service_starts_is_recorded_once_and_only_after_its_hosted_services_have_started()
    {
        var probe = new StartProbe($"Publiée pendant le démarrage {Guid.NewGuid():N}");
        await using var service = await ServiceHost.StartBriefingsInMemoryAsync(b =>
        {
            b.Services.AddSingleton(probe);
            b.Services.AddHostedService<PublishesWhileStarting>();
        });

        Assert.True(probe.BusStartedMeanwhile, "the bus was started while a hosted service before its place was still starting");
        Assert.True(probe.Published, "the briefing was published during start-up");
        Assert.Equal(0, probe.RecordedWhileStarting);
        await Poller.UntilAsync(
            async () =>
                (await service.Http.GetFromJsonAsync<List<BriefingView>>("/briefings?territory=93&year=2026"))!.Any(b =>
                    b.Summary == probe.Summary
                ),
            "the briefing recorded once the host has started"
        );
        var recorded = await service.Http.GetFromJsonAsync<List<BriefingView>>("/briefings?territory=93&year=2026");
        Assert.Single(recorded!, b => b.Summary == probe.Summary);
    }

    private sealed class StartProbe(string summary)
    {
        public string Summary { get; } = summary;
        public bool BusStartedMeanwhile { get; set; }
        public bool Published { get; set; }
        public int RecordedWhileStarting { get; set; } = -1;
    }

    /// <summary>
    /// Registered by the service's configuration, so before the bus's place: it starts after the migrator, before any consumer may run.
    /// </summary>
    private sealed class PublishesWhileStarting(StartProbe probe, IBusControl bus, IServiceScopeFactory scopes) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (bus.CheckHealth().Status != BusHealthStatus.Healthy && DateTime.UtcNow < deadline)
                await Task.Delay(20, cancellationToken);
            probe.BusStartedMeanwhile = bus.CheckHealth().Status == BusHealthStatus.Healthy;
            if (!probe.BusStartedMeanwhile)
                return;
            await bus.Publish(
                new RecordPenalPolicyBriefing
                {
                    Territory = TerritoryCode.Parse("93"),
                    BriefedOn = new DateOnly(2026, 2, 3),
                    ProsecutorOffice = "Parquet de Bobigny",
                    PriorityThemes = [PenalPolicyTheme.DrugTrafficking],
                    Summary = probe.Summary,
                },
                cancellationToken
            );
            probe.Published = true;
            // Long enough for a consumer that did not wait to have recorded it (a few ms on the in-memory bus).
            await Task.Delay(TimeSpan.FromSeconds(1.5), cancellationToken);
            await using var scope = scopes.CreateAsyncScope();
            probe.RecordedWhileStarting = await scope
                .ServiceProvider.GetRequiredService<BriefingsDbContext>()
                .Briefings.CountAsync(b => b.Summary == probe.Summary, cancellationToken);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

using Coordination.Briefings;
using Coordination.Briefings.Persistence;
using Coordination.Opinions;
using Coordination.Opinions.Persistence;
using Coordination.ServiceDefaults.Hosting;
using Coordination.ServiceDefaults.Messaging;
using Coordination.ServiceDefaults.Outbox;
using MassTransit;
using MassTransit.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Coordination.UnitTests.Support;

/// <summary>A service as its host registers it, on MassTransit's test harness, with a fake clock.</summary>
public class ServiceHarness<TContext> : IAsyncDisposable
    where TContext : ServiceDbContext
{
    private readonly WebApplication _app;
    private readonly string _folder;

    protected ServiceHarness(WebApplication app, string folder, FakeTimeProvider clock)
    {
        _app = app;
        _folder = folder;
        Clock = clock;
        Harness = app.Services.GetRequiredService<ITestHarness>();
    }

    public FakeTimeProvider Clock { get; }
    public ITestHarness Harness { get; }
    public IServiceProvider Services => _app.Services;

    protected static async Task<(WebApplication App, string Folder, FakeTimeProvider Clock)> StartAppAsync(
        DateTimeOffset now,
        Action<WebApplicationBuilder> addService,
        IDictionary<string, string?>? settings
    )
    {
        var folder = Directory.CreateTempSubdirectory("coordination-unit-").FullName;
        var clock = new FakeTimeProvider(now);
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(
            new Dictionary<string, string?>
            {
                ["Urls"] = "http://127.0.0.1:0",
                ["Database:Directory"] = folder,
                ["Sealing:KeyDirectory"] = Path.Combine(folder, "sealing-keys"),
                ["Outbox:PollInterval"] = "00:00:00.200",
                ["Logging:LogLevel:Default"] = "Warning",
                // No demo data: the harness runs Briefings or Opinions, which read none (the demo's directory and
                // rules are the gateway's, seeded through its API by the integration tests' hosts, ServiceHost).
            }
        );
        if (settings is not null)
            builder.Configuration.AddInMemoryCollection(settings);
        // The tests stand in for the gateway a service seals for: its key pair, where the service would find its public half.
        new Coordination.ServiceDefaults.Sealing.SealingKeyStore(Path.Combine(folder, "sealing-keys")).Rotate(
            Coordination.Contracts.Gateway.KeyOwners.Gateway
        );
        builder.AddServiceDefaults("unit-tests");
        builder.Services.AddSingleton<TimeProvider>(clock);
        addService(builder);

        var registry = builder.Registry();
        builder.Services.AddMassTransitTestHarness(x =>
            x.AddCoordinationConsumers(registry, new MessagingOptions { RetryLimit = 1, RetryIntervalMilliseconds = 10 })
        );
        foreach (var register in registry.AfterMessaging)
            register(builder.Services);

        var app = builder.Build();
        await app.StartAsync();
        return (app, folder, clock);
    }

    public async Task<T> Query<T>(Func<TContext, Task<T>> query)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<TContext>());
    }

    public Task<int> UnsentOutboxCount() => Query(db => db.OutboxMessages.CountAsync(m => m.SentAt == null));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException) { }
    }
}

public sealed class BriefingsHarness : ServiceHarness<BriefingsDbContext>
{
    private BriefingsHarness((WebApplication App, string Folder, FakeTimeProvider Clock) started)
        : base(started.App, started.Folder, started.Clock) { }

    public static async Task<BriefingsHarness> StartAsync(DateTimeOffset now, IDictionary<string, string?>? settings = null) =>
        new(await StartAppAsync(now, b => b.AddBriefingsService(), settings));
}

public sealed class OpinionsHarness : ServiceHarness<OpinionsDbContext>
{
    private OpinionsHarness((WebApplication App, string Folder, FakeTimeProvider Clock) started)
        : base(started.App, started.Folder, started.Clock) { }

    public static async Task<OpinionsHarness> StartAsync(DateTimeOffset now, IDictionary<string, string?>? settings = null) =>
        new(await StartAppAsync(now, b => b.AddOpinionsService(), settings));
}

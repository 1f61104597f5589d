using Coordination.Opinions;
using Coordination.Opinions.Persistence;
using Coordination.ServiceDefaults.Hosting;
using Coordination.ServiceDefaults.Messaging;
using MassTransit;
using MassTransit.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Coordination.UnitTests.Support;

/// <summary>The Opinions service as its host registers it, on MassTransit's test harness, with a fake clock.</summary>
public sealed class OpinionsHarness : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _folder;

    private OpinionsHarness(WebApplication app, string folder, FakeTimeProvider clock)
    {
        _app = app;
        _folder = folder;
        Clock = clock;
        Harness = app.Services.GetRequiredService<ITestHarness>();
    }

    public FakeTimeProvider Clock { get; }
    public ITestHarness Harness { get; }

    public static async Task<OpinionsHarness> StartAsync(DateTimeOffset now, IDictionary<string, string?>? settings = null)
    {
        var folder = Directory.CreateTempSubdirectory("coordination-unit-").FullName;
        var clock = new FakeTimeProvider(now);
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["Database:Directory"] = folder,
            ["Outbox:PollInterval"] = "00:00:00.200",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Sealing:KeyDirectory"] = Path.Combine(folder, "sealing-keys"),
        });
        if (settings is not null) builder.Configuration.AddInMemoryCollection(settings);
        builder.AddServiceDefaults("unit-tests");
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.AddOpinionsService();

        var registry = builder.Registry();
        builder.Services.AddMassTransitTestHarness(x =>
            x.AddCoordinationConsumers(registry, new MessagingOptions { RetryLimit = 1, RetryIntervalMilliseconds = 10 }));
        foreach (var register in registry.AfterMessaging) register(builder.Services);

        var app = builder.Build();
        await app.StartAsync();
        return new OpinionsHarness(app, folder, clock);
    }

    public async Task<T> Query<T>(Func<OpinionsDbContext, Task<T>> query)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<OpinionsDbContext>());
    }

    public IServiceProvider Services => _app.Services;

    public Task<int> UnsentOutboxCount() => Query(db => db.OutboxMessages.CountAsync(m => m.SentAt == null));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}

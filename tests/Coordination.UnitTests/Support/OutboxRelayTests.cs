using Coordination.Briefings.Persistence;
using Coordination.Contracts.Briefings;
using Coordination.ServiceDefaults.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace Coordination.UnitTests.Support;

public sealed class OutboxRelayTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"coordination-outbox-{Guid.NewGuid():N}.db");
    private readonly OutboxSignal<BriefingsDbContext> _signal = new();

    private SqliteBriefingsDbContext Open()
    {
        var db = new SqliteBriefingsDbContext(
            new DbContextOptionsBuilder<SqliteBriefingsDbContext>()
                .UseSqlite($"Data Source={_file}")
                .AddInterceptors(new OutboxInterceptor<BriefingsDbContext>(_signal, new FakeTimeProvider()))
                .Options
        );
        db.Database.Migrate();
        return db;
    }

    [Fact]
    public async Task A_commit_that_stages_a_message_wakes_the_relay_and_the_relays_own_bookkeeping_does_not()
    {
        await using var db = Open();

        db.PublishOnCommit(
            new AnnualBriefingOverdue
            {
                Territory = Coordination.Contracts.Values.TerritoryCode.Parse("75"),
                Year = 2026,
                RaisedAt = DateTimeOffset.UnixEpoch,
            }
        );
        await db.SaveChangesAsync();
        Assert.True(await _signal.WaitAsync(TimeSpan.Zero, CancellationToken.None), "a staged message must wake the relay");

        // What the relay itself commits: marking the row sent. Waking itself for that would make it spin.
        (await db.OutboxMessages.SingleAsync()).SentAt = DateTimeOffset.UnixEpoch;
        await db.SaveChangesAsync();
        await db.SaveChangesAsync();
        Assert.False(await _signal.WaitAsync(TimeSpan.Zero, CancellationToken.None), "the relay's bookkeeping must not wake it");
    }

    [Fact]
    public async Task Staged_messages_are_stamped_with_the_injected_clock()
    {
        await using var db = Open();
        db.PublishOnCommit(
            new AnnualBriefingOverdue
            {
                Territory = Coordination.Contracts.Values.TerritoryCode.Parse("93"),
                Year = 2026,
                RaisedAt = DateTimeOffset.UnixEpoch,
            }
        );
        await db.SaveChangesAsync();
        Assert.Equal(new FakeTimeProvider().GetUtcNow(), (await db.OutboxMessages.SingleAsync()).EnqueuedAt);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var f in new[] { _file, _file + "-wal", _file + "-shm" })
            File.Delete(f);
    }
}

/// <summary>Two instances of one service on one database: their relays share the outbox table.</summary>
public sealed class OutboxRelayScaleOutTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task Two_relays_on_one_database_publish_each_row_exactly_once()
    {
        const int Rows = 600;
        await using var service = await BriefingsHarness.StartAsync(
            DateTimeOffset.UnixEpoch.AddYears(56),
            new Dictionary<string, string?>
            {
                ["Outbox:RelayEnabled"] = "false",
                ["Outbox:BatchSize"] = "10",
                ["Outbox:PublishWindow"] = "8",
            }
        );
        var published = new PublishCounter();
        service.Harness.Bus.ConnectPublishObserver(published);
        await service.Query(async db =>
        {
            for (var i = 0; i < Rows; i++)
                db.PublishOnCommit(
                    new AnnualBriefingOverdue
                    {
                        Territory = Coordination.Contracts.Values.TerritoryCode.Parse(i % 2 == 0 ? "75" : "93"),
                        Year = 2000 + i,
                        RaisedAt = DateTimeOffset.UnixEpoch,
                    }
                );
            return await db.SaveChangesAsync();
        });
        var relays = Enumerable
            .Range(0, 2)
            .Select(_ =>
                Microsoft.Extensions.DependencyInjection.ActivatorUtilities.CreateInstance<OutboxRelay<BriefingsDbContext>>(
                    service.Services
                )
            )
            .ToList();
        var started = System.Diagnostics.Stopwatch.StartNew();
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var running = relays
            .Select(relay =>
                Task.Run(async () =>
                {
                    await go.Task;
                    var sent = new List<int>();
                    // Until the table is drained: a pass that finds every row claimed by the other returns 0.
                    while (await service.UnsentOutboxCount() > 0)
                        sent.Add(await relay.PublishPendingAsync(CancellationToken.None));
                    return sent;
                })
            )
            .ToList();
        go.SetResult();
        var passes = await Task.WhenAll(running);

        output.WriteLine($"{Rows} rows by two relays in {started.ElapsedMilliseconds} ms: {passes[0].Sum()} + {passes[1].Sum()}");
        Assert.Equal(Rows, passes.Sum(p => p.Sum()));
        // Which relay took how many depends on scheduling (one may drain the table before the other starts): printed, not asserted.
        var ids = await service.Query(db => db.OutboxMessages.Select(m => m.MessageId).ToListAsync());
        Assert.Equal(Rows, ids.Count);
        Assert.All(ids, id => Assert.Equal(1, published.Count(id)));
        Assert.Equal(Rows, published.Total);
        Assert.Equal(0, await service.Query(db => db.OutboxMessages.CountAsync(m => m.ClaimToken != null || m.SentAt == null)));
    }

    [Fact]
    public async Task A_publish_that_never_ends_holds_the_relay_no_longer_than_its_claim_and_its_row_is_sent_by_the_next_pass()
    {
        await using var service = await BriefingsHarness.StartAsync(
            DateTimeOffset.UnixEpoch.AddYears(56),
            new Dictionary<string, string?> { ["Outbox:RelayEnabled"] = "false", ["Outbox:PublishWindow"] = "4" }
        );
        var published = new PublishCounter();
        service.Harness.Bus.ConnectPublishObserver(published);
        await OutboxRelayConnectionRenewalTests.StageAsync(service, "75", "93", "94");
        // As a publish whose connection was cut by a lost broker node: its task never ends, cancelled or not.
        var bus = StalledFirstPublish.Over(service.Harness.Bus);
        var relay = Microsoft.Extensions.DependencyInjection.ActivatorUtilities.CreateInstance<OutboxRelay<BriefingsDbContext>>(
            service.Services,
            new WithBus(service.Services, bus)
        );

        var pass = relay.PublishPendingAsync(CancellationToken.None);
        await Coordination.Testing.Poller.UntilAsync(() => published.Total == 2, "the two other rows confirmed");
        Assert.False(pass.IsCompleted, "the pass waits for the stalled publish while its claim lasts");
        service.Clock.Advance(TimeSpan.FromSeconds(16)); // past Outbox:ClaimFor (15 s)
        var failure = await Assert.ThrowsAsync<OutboxPublishException>(() => pass.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(nameof(TimeoutException), failure.ExceptionType);
        Assert.Equal(1, await service.UnsentOutboxCount());
        Assert.Equal(0, await service.Query(db => db.OutboxMessages.CountAsync(m => m.ClaimToken != null)));

        Assert.Equal(1, await relay.PublishPendingAsync(CancellationToken.None));
        Assert.Equal(0, await service.UnsentOutboxCount());
        var ids = await service.Query(db => db.OutboxMessages.Select(m => m.MessageId).ToListAsync());
        Assert.All(ids, id => Assert.Equal(1, published.Count(id)));
    }

    /// <summary>A bus whose first publish never completes; every other call goes to the real bus.</summary>
    public class StalledFirstPublish : System.Reflection.DispatchProxy
    {
        private MassTransit.IBus _bus = null!;
        private int _calls;

        public static MassTransit.IBus Over(MassTransit.IBus bus)
        {
            var proxy = Create<MassTransit.IBus, StalledFirstPublish>();
            ((StalledFirstPublish)(object)proxy)._bus = bus;
            return proxy;
        }

        protected override object? Invoke(System.Reflection.MethodInfo? method, object?[]? args)
        {
            if (method!.Name == nameof(MassTransit.IBus.Publish) && Interlocked.Increment(ref _calls) == 1)
                return new TaskCompletionSource().Task;
            try
            {
                return method.Invoke(_bus, args);
            }
            catch (System.Reflection.TargetInvocationException e) when (e.InnerException is { } inner)
            {
                throw inner;
            }
        }
    }

    internal sealed class PublishCounter : MassTransit.IPublishObserver
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, int> _counts = new();
        public int Total => _counts.Values.Sum();

        public int Count(Guid messageId) => _counts.GetValueOrDefault(messageId);

        public Task PrePublish<T>(MassTransit.PublishContext<T> context)
            where T : class => Task.CompletedTask;

        public Task PostPublish<T>(MassTransit.PublishContext<T> context)
            where T : class
        {
            if (context.Message is AnnualBriefingOverdue && context.MessageId is { } id)
                _counts.AddOrUpdate(id, 1, (_, n) => n + 1);
            return Task.CompletedTask;
        }

        public Task PublishFault<T>(MassTransit.PublishContext<T> context, Exception exception)
            where T : class => Task.CompletedTask;
    }
}

/// <summary>
/// A relay whose publishes the broker keeps refusing on a connected bus (RabbitMQ before 3.12, a channel that
/// met a quorum queue while its leader's node was being lost): MassTransit keeps that channel, so the relay
/// asks for a new broker connection, and only for failures a new connection can change.
/// </summary>
public sealed class OutboxRelayConnectionRenewalTests
{
    [Fact]
    public async Task A_relay_the_broker_keeps_refusing_asks_once_for_a_new_connection_after_three_passes_then_sends_every_row_once()
    {
        await using var service = await StartAsync();
        await StageAsync(service, "75", "93", "94");
        var renewal = new Renewal();
        var bus = RefusedUntilRenewed.Over(
            service.Harness.Bus,
            renewal,
            () => new MassTransit.RabbitMqConnectionException("BasicPublishAsync failed")
        );
        var published = new OutboxRelayScaleOutTests.PublishCounter();
        service.Harness.Bus.ConnectPublishObserver(published);
        var relay = Relay(service, bus, renewal);

        await relay.StartAsync(CancellationToken.None);
        await Coordination.Testing.Poller.UntilAsync(
            async () => await service.UnsentOutboxCount() == 0,
            "every row sent after the renewal"
        );
        await relay.StopAsync(CancellationToken.None);

        Assert.Equal(1, renewal.Calls);
        // One refused publish per pass (a pass stops at its first failure): three passes, then the renewal.
        Assert.Equal(3, RefusedUntilRenewed.Of(bus).Refused);
        Assert.Equal(3, published.Total);
        var ids = await service.Query(db => db.OutboxMessages.Select(m => m.MessageId).ToListAsync());
        Assert.All(ids, id => Assert.Equal(1, published.Count(id)));
    }

    [Fact]
    public async Task A_publish_that_fails_for_a_reason_a_new_connection_cannot_change_never_renews_the_connection()
    {
        await using var service = await StartAsync();
        await StageAsync(service, "75");
        var renewal = new Renewal();
        // As a message the serializer cannot write: every pass fails the same way, whatever the connection.
        var bus = RefusedUntilRenewed.Over(service.Harness.Bus, renewal, () => new NotSupportedException("no serializer"));
        var relay = Relay(service, bus, renewal);

        await relay.StartAsync(CancellationToken.None);
        await Coordination.Testing.Poller.UntilAsync(() => RefusedUntilRenewed.Of(bus).Refused >= 6, "six passes failed");
        await relay.StopAsync(CancellationToken.None);

        Assert.Equal(0, renewal.Calls);
        Assert.Equal(1, await service.UnsentOutboxCount());
    }

    private static Task<BriefingsHarness> StartAsync() =>
        BriefingsHarness.StartAsync(
            DateTimeOffset.UnixEpoch.AddYears(56),
            new Dictionary<string, string?> { ["Outbox:RelayEnabled"] = "false" }
        );

    private static OutboxRelay<BriefingsDbContext> Relay(BriefingsHarness service, MassTransit.IBus bus, Renewal renewal) =>
        // The system clock: the passes, their backoff and claims run in real time here (a few hundred ms).
        Microsoft.Extensions.DependencyInjection.ActivatorUtilities.CreateInstance<OutboxRelay<BriefingsDbContext>>(
            service.Services,
            new WithBus(service.Services, bus),
            TimeProvider.System,
            new Coordination.ServiceDefaults.Messaging.IBrokerConnectionRenewal[] { renewal },
            Microsoft.Extensions.Options.Options.Create(
                new OutboxOptions
                {
                    PollInterval = TimeSpan.FromMilliseconds(50),
                    MaxBackoff = TimeSpan.FromMilliseconds(100),
                    RenewConnectionAfterStalledPasses = 3,
                }
            )
        );

    /// <summary>One overdue-briefing alert per territory, committed to the outbox at once.</summary>
    internal static Task StageAsync(BriefingsHarness service, params string[] territories) =>
        service.Query(async db =>
        {
            foreach (var territory in territories)
                db.PublishOnCommit(
                    new AnnualBriefingOverdue
                    {
                        Territory = Coordination.Contracts.Values.TerritoryCode.Parse(territory),
                        Year = 2026,
                        RaisedAt = DateTimeOffset.UnixEpoch,
                    }
                );
            return await db.SaveChangesAsync();
        });

    internal sealed class Renewal : Coordination.ServiceDefaults.Messaging.IBrokerConnectionRenewal
    {
        private int _calls;
        public int Calls => Volatile.Read(ref _calls);

        public Task<bool> RenewAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return Task.FromResult(true);
        }
    }

    /// <summary>A bus whose publishes fail with the given exception until the renewal was asked; then the real bus.</summary>
    public class RefusedUntilRenewed : System.Reflection.DispatchProxy
    {
        private MassTransit.IBus _bus = null!;
        private Renewal _renewal = null!;
        private Func<Exception> _refusal = null!;
        private int _refused;
        public int Refused => Volatile.Read(ref _refused);

        internal static MassTransit.IBus Over(MassTransit.IBus bus, Renewal renewal, Func<Exception> refusal)
        {
            var proxy = Create<MassTransit.IBus, RefusedUntilRenewed>();
            var self = (RefusedUntilRenewed)(object)proxy;
            (self._bus, self._renewal, self._refusal) = (bus, renewal, refusal);
            return proxy;
        }

        internal static RefusedUntilRenewed Of(MassTransit.IBus bus) => (RefusedUntilRenewed)(object)bus;

        protected override object? Invoke(System.Reflection.MethodInfo? method, object?[]? args)
        {
            if (method!.Name == nameof(MassTransit.IBus.Publish) && _renewal.Calls == 0)
            {
                Interlocked.Increment(ref _refused);
                return Task.FromException(_refusal());
            }
            try
            {
                return method.Invoke(_bus, args);
            }
            catch (System.Reflection.TargetInvocationException e) when (e.InnerException is { } inner)
            {
                throw inner;
            }
        }
    }
}

/// <summary>The harness's services, with another bus: the relay resolves its bus when it first publishes.</summary>
internal sealed class WithBus(IServiceProvider services, MassTransit.IBus bus) : IServiceProvider
{
    public object? GetService(Type serviceType) => serviceType == typeof(MassTransit.IBus) ? bus : services.GetService(serviceType);
}

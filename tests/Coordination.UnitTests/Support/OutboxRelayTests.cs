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
        var db = new SqliteBriefingsDbContext(new DbContextOptionsBuilder<SqliteBriefingsDbContext>()
            .UseSqlite($"Data Source={_file}")
            .AddInterceptors(new OutboxInterceptor<BriefingsDbContext>(_signal, new FakeTimeProvider()))
            .Options);
        db.Database.Migrate();
        return db;
    }

    [Fact]
    public async Task A_commit_that_stages_a_message_wakes_the_relay_and_the_relays_own_bookkeeping_does_not()
    {
        await using var db = Open();

        db.PublishOnCommit(new AnnualBriefingOverdue { Territory = Coordination.Contracts.Values.TerritoryCode.Parse("75"), Year = 2026, RaisedAt = DateTimeOffset.UnixEpoch });
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
        db.PublishOnCommit(new AnnualBriefingOverdue { Territory = Coordination.Contracts.Values.TerritoryCode.Parse("93"), Year = 2026, RaisedAt = DateTimeOffset.UnixEpoch });
        await db.SaveChangesAsync();
        Assert.Equal(new FakeTimeProvider().GetUtcNow(), (await db.OutboxMessages.SingleAsync()).EnqueuedAt);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var f in new[] { _file, _file + "-wal", _file + "-shm" }) File.Delete(f);
    }
}

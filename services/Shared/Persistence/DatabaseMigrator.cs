using Coordination.ServiceDefaults.Outbox;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Coordination.ServiceDefaults.Persistence;

/// <summary>A service database's migration, run once per process whoever asks for it first.</summary>
public interface IDatabaseMigration
{
    /// <summary>Starts the migration if nobody has yet; completes when the database is migrated.</summary>
    Task RunAsync(CancellationToken cancellationToken);
}

/// <summary>Migrates <typeparamref name="TContext"/>'s database on a thread of its own (EF Core builds the model there).</summary>
public sealed class DatabaseMigration<TContext>(IServiceScopeFactory scopes) : IDatabaseMigration
    where TContext : ServiceDbContext
{
    private readonly Lock _lock = new();
    private Task? _run;

    public Task RunAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
            return _run ??= Task.Run(() => MigrateAsync(cancellationToken), CancellationToken.None);
    }

    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        if (db.Database.IsSqlite())
        {
            var file = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
            var directory = Path.GetDirectoryName(Path.GetFullPath(file));
            if (!string.IsNullOrEmpty(directory))
                Directory.CreateDirectory(directory);
        }
        await db.Database.MigrateAsync(cancellationToken);
        if (db.Database.IsSqlite())
        {
            // WAL lets the relay read while a consumer writes.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
    }
}

/// <summary>
/// Where the service's hosted services wait for its database: nothing registered after it (a periodic
/// pass, the ingress listener, the relay, the HTTP server) starts before the migrations are applied.
/// The migration itself may have begun earlier (<see cref="Hosting.EarlyStart"/>).
/// </summary>
public sealed class DatabaseMigrator<TContext>(DatabaseMigration<TContext> migration) : IHostedService
    where TContext : ServiceDbContext
{
    public Task StartAsync(CancellationToken cancellationToken) => migration.RunAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

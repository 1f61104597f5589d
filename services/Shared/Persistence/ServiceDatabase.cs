using Coordination.ServiceDefaults.Hosting;
using Coordination.ServiceDefaults.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Coordination.ServiceDefaults.Persistence;

public enum DatabaseProvider
{
    Sqlite,
    SqlServer,
}

public static class ServiceDatabase
{
    /// <summary>
    /// Registers a service's own database: the provider comes from <c>Database:Provider</c>
    /// (<c>Sqlite</c> by default, <c>SqlServer</c> in production), the connection string from
    /// <c>ConnectionStrings:&lt;service&gt;</c> (default: a SQLite file under <c>./data</c>).
    /// Migrations run at start-up, beside the bus's start and before any consumer, periodic pass or relay touches the tables.
    /// </summary>
    public static IHostApplicationBuilder AddServiceDatabase<TContext, TSqlite, TSqlServer>(
        this IHostApplicationBuilder builder,
        string serviceName
    )
        where TContext : ServiceDbContext
        where TSqlite : TContext
        where TSqlServer : TContext
    {
        var provider = builder.Configuration.GetValue("Database:Provider", DatabaseProvider.Sqlite);
        var connectionString = builder.Configuration.GetConnectionString(serviceName);
        var services = builder.Services;

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<OutboxSignal<TContext>>();
        services.AddSingleton<OutboxInterceptor<TContext>>();
        services.AddOptions<OutboxOptions>().BindConfiguration(OutboxOptions.Section);
        services.AddOptions<GroupCommitOptions>().BindConfiguration(GroupCommitOptions.Section);
        services.AddSingleton<GroupCommitWriter<TContext>>();

        // Pooled: a consumer's or request's context is reset and reused, not built again; the options
        // (and so the interceptors, singletons) are built once.
        if (provider == DatabaseProvider.SqlServer)
        {
            if (string.IsNullOrWhiteSpace(connectionString))
                throw new InvalidOperationException($"ConnectionStrings:{serviceName} is required with Database:Provider=SqlServer.");
            services.AddDbContextPool<TContext, TSqlServer>(
                (sp, o) =>
                    o.UseSqlServer(connectionString, sql => sql.EnableRetryOnFailure())
                        .AddInterceptors(sp.GetRequiredService<OutboxInterceptor<TContext>>(), ServerLimitsInterceptor.Instance)
            );
        }
        else
        {
            connectionString ??= $"Data Source={Path.Combine(builder.Configuration["Database:Directory"] ?? "data", serviceName + ".db")}";
            var settings = SqliteSettings.For(builder.Configuration, builder.Environment);
            services.AddDbContextPool<TContext, TSqlite>(
                (sp, o) =>
                    o.UseSqlite(connectionString)
                        .AddInterceptors(sp.GetRequiredService<OutboxInterceptor<TContext>>(), ServerLimitsInterceptor.Instance, settings)
            );
        }

        services.AddSingleton<DatabaseMigration<TContext>>();
        services.AddSingleton<IDatabaseMigration>(sp => sp.GetRequiredService<DatabaseMigration<TContext>>());
        services.AddHostedService<DatabaseMigrator<TContext>>();
        services.AddHealthChecks().AddDbContextCheck<TContext>($"{serviceName}-database", tags: ["ready"]);
        builder.Registry().AfterMessaging.Add(s => s.AddHostedService<OutboxRelay<TContext>>());
        return builder;
    }

    /// <summary>SQLite cannot compare or order DateTimeOffset columns; stored as sortable UTC ticks instead.</summary>
    public static void UseSqliteConventions(this ModelConfigurationBuilder configurationBuilder) =>
        configurationBuilder
            .Properties<DateTimeOffset>()
            .HaveConversion<Microsoft.EntityFrameworkCore.Storage.ValueConversion.DateTimeOffsetToBinaryConverter>();
}

/// <summary>How every SQLite connection of a service is set up when it opens.</summary>
/// <remarks>
/// <para><c>secure_delete</c>: SQLite keeps a deleted row's bytes in free pages until they are reused,
/// so a purged person would still be readable in the file; with it every connection overwrites what it deletes.</para>
/// <para><c>busy_timeout</c>: a connection that finds the write lock taken waits inside SQLite, which
/// retries within a millisecond or two of the lock's release. Without it Microsoft.Data.Sqlite retries
/// on its own, sleeping 150 ms between tries, which with several writers is most of a message's latency.</para>
/// <para><c>synchronous=FULL</c> (with WAL): a commit is on disk before it returns, so a message the
/// broker saw acked survives a power cut. <c>NORMAL</c> may lose the last commits on a power cut (not
/// on a crash of the process): allowed in Development only (<c>Database:SqliteSynchronous=Normal</c>).</para>
/// </remarks>
internal sealed class SqliteSettings : Microsoft.EntityFrameworkCore.Diagnostics.DbConnectionInterceptor
{
    public const int BusyTimeoutMilliseconds = 30_000;
    private readonly string _pragmas;

    private SqliteSettings(string synchronous) =>
        _pragmas = $"PRAGMA secure_delete=ON; PRAGMA busy_timeout={BusyTimeoutMilliseconds}; PRAGMA synchronous={synchronous};";

    public static SqliteSettings Production { get; } = new("FULL");

    public static SqliteSettings For(IConfiguration configuration, IHostEnvironment environment)
    {
        var synchronous = configuration["Database:SqliteSynchronous"] ?? "Full";
        if (synchronous.Equals("Full", StringComparison.OrdinalIgnoreCase))
            return Production;
        if (!synchronous.Equals("Normal", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException("Database:SqliteSynchronous must be Full or Normal.");
        if (!environment.IsDevelopment())
            throw new InvalidOperationException(
                "Database:SqliteSynchronous=Normal may lose acknowledged commits on a power cut: Development only."
            );
        return new SqliteSettings("NORMAL");
    }

    public override void ConnectionOpened(
        System.Data.Common.DbConnection connection,
        Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData
    )
    {
        using var command = connection.CreateCommand();
        command.CommandText = _pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(
        System.Data.Common.DbConnection connection,
        Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData,
        CancellationToken cancellationToken = default
    )
    {
        await using var command = connection.CreateCommand();
        command.CommandText = _pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

using Coordination.ServiceDefaults.Hosting;
using Coordination.ServiceDefaults.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Coordination.ServiceDefaults.Persistence;

public enum DatabaseProvider { Sqlite, SqlServer }

public static class ServiceDatabase
{
    /// <summary>
    /// Registers a service's own database: the provider comes from <c>Database:Provider</c>
    /// (<c>Sqlite</c> by default, <c>SqlServer</c> in production), the connection string from
    /// <c>ConnectionStrings:&lt;service&gt;</c> (default: a SQLite file under <c>./data</c>).
    /// Migrations run at start-up, before the bus starts; then the outbox relay runs.
    /// </summary>
    public static IHostApplicationBuilder AddServiceDatabase<TContext, TSqlite, TSqlServer>(this IHostApplicationBuilder builder, string serviceName)
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

        if (provider == DatabaseProvider.SqlServer)
        {
            if (string.IsNullOrWhiteSpace(connectionString))
                throw new InvalidOperationException($"ConnectionStrings:{serviceName} is required with Database:Provider=SqlServer.");
            services.AddDbContext<TContext, TSqlServer>((sp, o) => o
                .UseSqlServer(connectionString, sql => sql.EnableRetryOnFailure())
                .AddInterceptors(sp.GetRequiredService<OutboxInterceptor<TContext>>()));
        }
        else
        {
            connectionString ??= $"Data Source={Path.Combine(builder.Configuration["Database:Directory"] ?? "data", serviceName + ".db")}";
            services.AddDbContext<TContext, TSqlite>((sp, o) => o
                .UseSqlite(connectionString)
                .AddInterceptors(sp.GetRequiredService<OutboxInterceptor<TContext>>(), SecureDelete.Instance));
        }

        services.AddHostedService<DatabaseMigrator<TContext>>();
        services.AddHealthChecks().AddDbContextCheck<TContext>($"{serviceName}-database", tags: ["ready"]);
        builder.Registry().AfterMessaging.Add(s => s.AddHostedService<OutboxRelay<TContext>>());
        return builder;
    }

    /// <summary>SQLite cannot compare or order DateTimeOffset columns; stored as sortable UTC ticks instead.</summary>
    public static void UseSqliteConventions(this ModelConfigurationBuilder configurationBuilder) =>
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<Microsoft.EntityFrameworkCore.Storage.ValueConversion.DateTimeOffsetToBinaryConverter>();
}

/// <summary>
/// SQLite keeps a deleted row's bytes in free pages until they are reused: a purged person would
/// still be readable in the file. With <c>secure_delete</c> every connection overwrites what it deletes.
/// </summary>
internal sealed class SecureDelete : Microsoft.EntityFrameworkCore.Diagnostics.DbConnectionInterceptor
{
    public static readonly SecureDelete Instance = new();

    public override void ConnectionOpened(System.Data.Common.DbConnection connection, Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA secure_delete=ON;";
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(System.Data.Common.DbConnection connection, Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData,
        CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA secure_delete=ON;";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

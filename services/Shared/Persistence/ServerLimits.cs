using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Coordination.ServiceDefaults.Persistence;

/// <summary>
/// A value SQL Server's column would not hold: too long, missing, or more digits than its decimal keeps.
/// The message names the entity, the property, the column and the limit, never the value, which may be confidential.
/// </summary>
/// <remarks>
/// Deliberately not a <see cref="DbUpdateException"/>: callers read that as a race lost to a concurrent
/// writer and retry or answer "already handled", and an oversized value is neither.
/// </remarks>
public sealed class ServerLimitException(string entity, string property, string column, string limit)
    : InvalidOperationException($"{entity}.{property} does not fit its column {column}: {limit}. Nothing was saved.")
{
    public string Entity { get; } = entity;
    public string Property { get; } = property;
    public string Column { get; } = column;
    public string Limit { get; } = limit;
}

/// <summary>
/// Holds every Added or Modified row to the limits SQL Server enforces and SQLite ignores (max length of
/// strings and byte arrays, required values, decimal precision and scale), as read from the model, before
/// anything is written. On for every <see cref="Outbox.ServiceDbContext"/> and every provider: in tests it makes
/// SQLite fail where production would; on SQL Server it fails the same rows earlier, without the server's
/// truncation message, which quotes the truncated value.
/// </summary>
public sealed class ServerLimitsInterceptor : SaveChangesInterceptor
{
    public static ServerLimitsInterceptor Instance { get; } = new();

    // SQL Server's decimal with no precision configured; EF's SQL Server mapping uses the same.
    private const int DefaultPrecision = 18,
        DefaultScale = 2;

    private ServerLimitsInterceptor() { }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        CheckOnSave(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData,
        InterceptionResult<int> result,
        CancellationToken cancellationToken = default
    )
    {
        CheckOnSave(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => Disarm(eventData.Context);

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Disarm(eventData.Context);
        return Task.CompletedTask;
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Disarm(eventData.Context);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(
        SaveChangesCompletedEventData eventData,
        int result,
        CancellationToken cancellationToken = default
    )
    {
        Disarm(eventData.Context);
        return ValueTask.FromResult(result);
    }

    // SaveChanges detects changes only after its interceptors: checking here would miss a change not yet
    // detected, and detecting here too would scan every tracked entity twice per save, which widens the
    // window in which two gateway instances race for the audit's next sequence. So the check runs as
    // SaveChanges's own detection completes.
    private static void CheckOnSave(DbContext? context)
    {
        if (context is null)
            return;
        if (!context.ChangeTracker.AutoDetectChangesEnabled)
        {
            Check(context);
            return;
        }
        var armed = Armed.GetValue(
            context,
            c =>
            {
                var flag = new StrongBox<bool>();
                c.ChangeTracker.DetectedAllChanges += (_, _) =>
                {
                    if (!flag.Value)
                        return;
                    flag.Value = false;
                    Check(c);
                };
                return flag;
            }
        );
        armed.Value = true;
    }

    private static void Disarm(DbContext? context)
    {
        if (context is not null && Armed.TryGetValue(context, out var armed))
            armed.Value = false;
    }

    private static readonly ConditionalWeakTable<DbContext, StrongBox<bool>> Armed = new();

    /// <summary>Checks what <paramref name="context"/> tracks as it stands, without detecting changes first.</summary>
    public static void Check(DbContext? context)
    {
        if (context is null)
            return;
        var tracker = context.ChangeTracker;
        var detect = tracker.AutoDetectChangesEnabled;
        tracker.AutoDetectChangesEnabled = false;
        try
        {
            foreach (var entry in tracker.Entries())
            {
                if (entry.State is not (EntityState.Added or EntityState.Modified))
                    continue;
                foreach (var property in entry.Properties)
                {
                    // An unchanged value was read from the store: it fitted, or the store holds it anyway.
                    if (entry.State == EntityState.Modified && !property.IsModified)
                        continue;
                    Check(entry, property);
                }
            }
        }
        finally
        {
            tracker.AutoDetectChangesEnabled = detect;
        }
    }

    private static void Check(EntityEntry entry, PropertyEntry property)
    {
        var metadata = property.Metadata;
        var value = property.CurrentValue;
        if (value is null)
        {
            if (metadata.IsNullable)
                return;
            // The store fills it (an identity, a rowversion) or EF does as it saves.
            if (entry.State == EntityState.Added && metadata.ValueGenerated.HasFlag(ValueGenerated.OnAdd))
                return;
            throw Failure(entry, metadata, "a value is required (NOT NULL)");
        }

        var converter = metadata.GetTypeMapping().Converter;
        var stored = converter is null ? value : converter.ConvertToProvider(value);
        switch (stored)
        {
            case null when !metadata.IsNullable:
                throw Failure(entry, metadata, "a value is required (NOT NULL)");
            case string text when metadata.GetMaxLength() is { } max && text.Length > max:
                // nvarchar(n) counts UTF-16 code units, as string.Length does.
                throw Failure(entry, metadata, $"at most {max} characters");
            case byte[] bytes when metadata.GetMaxLength() is { } max && bytes.Length > max:
                throw Failure(entry, metadata, $"at most {max} bytes");
            case decimal number:
                CheckDecimal(entry, metadata, number);
                break;
        }
    }

    private static void CheckDecimal(EntityEntry entry, IProperty metadata, decimal number)
    {
        var precision = metadata.GetPrecision() ?? DefaultPrecision;
        var scale = metadata.GetScale() ?? (metadata.GetPrecision() is null ? DefaultScale : 0);
        // Trailing zeros are not digits SQL Server would lose: 1.50 fits decimal(3,1).
        var normalized = number / 1.0000000000000000000000000000m;
        var fractionDigits = (decimal.GetBits(normalized)[3] >> 16) & 0xFF;
        var integer = Math.Abs(decimal.Truncate(normalized));
        var integerDigits = integer == 0 ? 0 : integer.ToString(System.Globalization.CultureInfo.InvariantCulture).Length;
        // More integer digits overflow on SQL Server; more fraction digits it would round away silently.
        if (integerDigits > precision - scale || fractionDigits > scale)
            throw Failure(
                entry,
                metadata,
                $"decimal({precision},{scale}): at most {precision - scale} digits before the point and {scale} after"
            );
    }

    private static ServerLimitException Failure(EntityEntry entry, IProperty metadata, string limit)
    {
        var table = entry.Metadata.GetTableName();
        var column = table is null ? metadata.Name : $"{table}.{metadata.GetColumnName()}";
        return new ServerLimitException(entry.Metadata.ClrType.Name, metadata.Name, column, limit);
    }
}

using Microsoft.EntityFrameworkCore;

namespace Coordination.ServiceDefaults.Persistence;

public static class OneTransaction
{
    /// <summary>
    /// Runs <paramref name="unit"/> in one transaction under the provider's execution strategy. A
    /// strategy that retries (SQL Server's) replays the whole unit, never half of it: each attempt
    /// starts from an empty change tracker, so the unit reads again what it decides on.
    /// </summary>
    public static Task<T> InOneTransactionAsync<T>(this DbContext db, Func<Task<T>> unit, CancellationToken cancellationToken) =>
        db
            .Database.CreateExecutionStrategy()
            .ExecuteAsync(async () =>
            {
                db.ChangeTracker.Clear();
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                var result = await unit();
                await transaction.CommitAsync(cancellationToken);
                return result;
            });

    public static Task InOneTransactionAsync(this DbContext db, Func<Task> unit, CancellationToken cancellationToken) =>
        db.InOneTransactionAsync(
            async () =>
            {
                await unit();
                return true;
            },
            cancellationToken
        );
}

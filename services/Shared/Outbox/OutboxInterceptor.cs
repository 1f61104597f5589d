using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Coordination.ServiceDefaults.Outbox;

/// <summary>
/// Wakes the relay of one service as soon as something was committed for it to publish, and carries
/// the rows this process committed with a hand-off lease straight to it: the relay publishes those
/// without claiming and reading them from the table first.
/// </summary>
public sealed class OutboxSignal<TContext>
    where TContext : ServiceDbContext
{
    private readonly SemaphoreSlim _pending = new(0, 1);
    private readonly System.Collections.Concurrent.ConcurrentQueue<OutboxMessage> _handed = new();
    private int _tableDue;
    private volatile bool _accepting;

    /// <summary>The lease this process's relay holds on every row handed to it: no other relay takes one before it ends.</summary>
    public Guid HandoffToken { get; } = Guid.NewGuid();
    internal TimeSpan HandoffLease { get; private set; }

    /// <summary>Whether a relay runs in this process to take hand-offs; otherwise rows wait in the table for any relay.</summary>
    internal bool Accepting => _accepting;

    internal void Accept(TimeSpan lease)
    {
        HandoffLease = lease;
        _accepting = true;
    }

    internal void StopAccepting() => _accepting = false;

    /// <summary>Rows committed outside a hand-off (or by another path): the relay's next pass reads the table.</summary>
    public void Notify()
    {
        Volatile.Write(ref _tableDue, 1);
        Wake();
    }

    /// <summary>Rows committed with this process's hand-off lease: the relay publishes them from memory.</summary>
    internal void Hand(IReadOnlyCollection<OutboxMessage> rows)
    {
        foreach (var row in rows)
            _handed.Enqueue(row);
        Wake();
    }

    internal bool HasHanded => !_handed.IsEmpty;

    internal List<OutboxMessage> TakeHanded(int max)
    {
        var rows = new List<OutboxMessage>(Math.Min(max, _handed.Count));
        while (rows.Count < max && _handed.TryDequeue(out var row))
            rows.Add(row);
        return rows;
    }

    internal bool TakeTableDue() => Interlocked.Exchange(ref _tableDue, 0) == 1;

    private void Wake()
    {
        // One pending wake-up is enough: the relay drains everything when it wakes.
        if (_pending.CurrentCount == 0)
        {
            try
            {
                _pending.Release();
            }
            catch (SemaphoreFullException) { }
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _pending.WaitAsync(timeout, cancellationToken);
}

/// <summary>
/// Stamps staged outbox rows with the injected clock and, when this process runs the relay, with the
/// relay's hand-off lease; after the commit it hands the leased rows to the relay, which publishes
/// them from memory (no claim and read of the table per pass), and wakes it for any others. After the
/// SaveChanges when it commits by itself, after the transaction's commit when it runs inside one (the
/// group commit's), since a relay woken earlier would publish what may yet be rolled back.
/// </summary>
/// <remarks>
/// A unit rolled back to its savepoint took its rows with it: the code that rolls back says so with
/// <see cref="ServiceDbContext.DiscardStagedOutboxFrom"/>. A rollback to a savepoint that nobody
/// accounts for (EF's own, around a SaveChanges that failed, which had recorded nothing) makes the
/// transaction's rows unsafe to hand off; they then wait for their lease to pass half and are claimed
/// from the table like any other row.
/// </remarks>
public sealed class OutboxInterceptor<TContext>(OutboxSignal<TContext> signal, TimeProvider clock)
    : SaveChangesInterceptor,
        IDbTransactionInterceptor
    where TContext : ServiceDbContext
{
    public ValueTask<System.Data.Common.DbTransaction> TransactionStartedAsync(
        System.Data.Common.DbConnection connection,
        TransactionEndEventData eventData,
        System.Data.Common.DbTransaction result,
        CancellationToken cancellationToken = default
    )
    {
        Begin(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public System.Data.Common.DbTransaction TransactionStarted(
        System.Data.Common.DbConnection connection,
        TransactionEndEventData eventData,
        System.Data.Common.DbTransaction result
    )
    {
        Begin(eventData.Context);
        return result;
    }

    public System.Data.Common.DbTransaction TransactionUsed(
        System.Data.Common.DbConnection connection,
        TransactionEventData eventData,
        System.Data.Common.DbTransaction result
    )
    {
        Begin(eventData.Context);
        return result;
    }

    public ValueTask<System.Data.Common.DbTransaction> TransactionUsedAsync(
        System.Data.Common.DbConnection connection,
        TransactionEventData eventData,
        System.Data.Common.DbTransaction result,
        CancellationToken cancellationToken = default
    )
    {
        Begin(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public void TransactionCommitted(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData) =>
        Committed(eventData.Context);

    public Task TransactionCommittedAsync(
        System.Data.Common.DbTransaction transaction,
        TransactionEndEventData eventData,
        CancellationToken cancellationToken = default
    )
    {
        Committed(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData) =>
        Begin(eventData.Context);

    public Task TransactionRolledBackAsync(
        System.Data.Common.DbTransaction transaction,
        TransactionEndEventData eventData,
        CancellationToken cancellationToken = default
    )
    {
        Begin(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionFailed(System.Data.Common.DbTransaction transaction, TransactionErrorEventData eventData) =>
        Begin(eventData.Context);

    public Task TransactionFailedAsync(
        System.Data.Common.DbTransaction transaction,
        TransactionErrorEventData eventData,
        CancellationToken cancellationToken = default
    )
    {
        Begin(eventData.Context);
        return Task.CompletedTask;
    }

    public void RolledBackToSavepoint(System.Data.Common.DbTransaction transaction, TransactionEventData eventData) =>
        Unaccounted(eventData.Context);

    public Task RolledBackToSavepointAsync(
        System.Data.Common.DbTransaction transaction,
        TransactionEventData eventData,
        CancellationToken cancellationToken = default
    )
    {
        Unaccounted(eventData.Context);
        return Task.CompletedTask;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData,
        InterceptionResult<int> result,
        CancellationToken cancellationToken = default
    )
    {
        Stamp(eventData.Context);
        return base.SavingChangesAsync(eventData, result, cancellationToken);
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Stamp(eventData.Context);
        return base.SavingChanges(eventData, result);
    }

    public override ValueTask<int> SavedChangesAsync(
        SaveChangesCompletedEventData eventData,
        int result,
        CancellationToken cancellationToken = default
    )
    {
        Saved(eventData.Context);
        return base.SavedChangesAsync(eventData, result, cancellationToken);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Saved(eventData.Context);
        return base.SavedChanges(eventData, result);
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => SaveFailed(eventData.Context);

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        SaveFailed(eventData.Context);
        return base.SaveChangesFailedAsync(eventData, cancellationToken);
    }

    private static void Begin(DbContext? context)
    {
        if (context is ServiceDbContext service)
        {
            service.OutboxInTransaction.Clear();
            service.OutboxHandoffUnsafe = false;
        }
    }

    private static void Unaccounted(DbContext? context)
    {
        if (context is ServiceDbContext service)
            service.OutboxHandoffUnsafe = true;
    }

    private static void SaveFailed(DbContext? context)
    {
        if (context is ServiceDbContext service)
            service.OutboxSaving.Clear();
    }

    private void Saved(DbContext? context)
    {
        if (context is not ServiceDbContext service)
            return;
        if (service.Database.CurrentTransaction is null)
        {
            // Committed by itself: its rows are durable now.
            if (service.OutboxSaving.Count > 0)
                signal.Hand(service.OutboxSaving.ToArray());
            service.OutboxSaving.Clear();
            NotifyIfStaged(service);
            return;
        }
        service.OutboxInTransaction.AddRange(service.OutboxSaving);
        service.OutboxSaving.Clear();
    }

    private void Committed(DbContext? context)
    {
        if (context is not ServiceDbContext service)
            return;
        if (service.OutboxInTransaction.Count > 0 && !service.OutboxHandoffUnsafe)
            signal.Hand(service.OutboxInTransaction.ToArray());
        Begin(service);
        NotifyIfStaged(service);
    }

    // Only a commit that staged rows outside a hand-off wakes the relay's table pass: its own bookkeeping must not, or it spins.
    private void NotifyIfStaged(ServiceDbContext service)
    {
        if (service.OutboxStaged)
        {
            service.OutboxStaged = false;
            signal.Notify();
        }
    }

    private void Stamp(DbContext? context)
    {
        if (context is null)
            return;
        var service = context as ServiceDbContext;
        service?.OutboxSaving.Clear();
        var now = clock.GetUtcNow();
        foreach (var entry in context.ChangeTracker.Entries<OutboxMessage>())
        {
            if (entry.State != EntityState.Added)
                continue;
            var row = entry.Entity;
            if (row.EnqueuedAt == default)
                row.EnqueuedAt = now;
            if (service is null)
                continue;
            if (signal.Accepting && row.ClaimToken is null)
            {
                row.ClaimToken = signal.HandoffToken;
                row.ClaimedUntil = now + signal.HandoffLease;
                service.OutboxSaving.Add(row);
            }
            else
                service.OutboxStaged = true;
        }
        foreach (var entry in context.ChangeTracker.Entries<InboxEntry>())
        {
            if (entry.State == EntityState.Added && entry.Entity.ProcessedAt == default)
                entry.Entity.ProcessedAt = now;
        }
    }
}

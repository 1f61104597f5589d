using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Coordination.ServiceDefaults.Outbox;

/// <summary>Wakes the relay of one service as soon as something was committed for it to publish.</summary>
public sealed class OutboxSignal<TContext>
    where TContext : ServiceDbContext
{
    private readonly SemaphoreSlim _pending = new(0, 1);

    public void Notify()
    {
        // One pending wake-up is enough: the relay drains everything unsent when it wakes.
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
/// Stamps staged outbox rows with the injected clock and signals the relay after commit: after the
/// SaveChanges when it commits by itself, after the transaction's commit when it runs inside one (the
/// group commit's), since a relay woken earlier would find nothing it can read yet.
/// </summary>
public sealed class OutboxInterceptor<TContext>(OutboxSignal<TContext> signal, TimeProvider clock)
    : SaveChangesInterceptor,
        IDbTransactionInterceptor
    where TContext : ServiceDbContext
{
    public void TransactionCommitted(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData) =>
        NotifyIfStaged(eventData.Context);

    public Task TransactionCommittedAsync(
        System.Data.Common.DbTransaction transaction,
        TransactionEndEventData eventData,
        CancellationToken cancellationToken = default
    )
    {
        NotifyIfStaged(eventData.Context);
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
        if (eventData.Context?.Database.CurrentTransaction is null)
            NotifyIfStaged(eventData.Context);
        return base.SavedChangesAsync(eventData, result, cancellationToken);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        if (eventData.Context?.Database.CurrentTransaction is null)
            NotifyIfStaged(eventData.Context);
        return base.SavedChanges(eventData, result);
    }

    // Only a commit that staged messages wakes the relay: its own bookkeeping must not, or it spins.
    private void NotifyIfStaged(DbContext? context)
    {
        if (context is ServiceDbContext { OutboxStaged: true } service)
        {
            service.OutboxStaged = false;
            signal.Notify();
        }
    }

    private void Stamp(DbContext? context)
    {
        if (context is null)
            return;
        var now = clock.GetUtcNow();
        foreach (var entry in context.ChangeTracker.Entries<OutboxMessage>())
        {
            if (entry.State != EntityState.Added)
                continue;
            if (entry.Entity.EnqueuedAt == default)
                entry.Entity.EnqueuedAt = now;
            if (context is ServiceDbContext service)
                service.OutboxStaged = true;
        }
        foreach (var entry in context.ChangeTracker.Entries<InboxEntry>())
        {
            if (entry.State == EntityState.Added && entry.Entity.ProcessedAt == default)
                entry.Entity.ProcessedAt = now;
        }
    }
}

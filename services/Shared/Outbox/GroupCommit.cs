using System.Data;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Coordination.ServiceDefaults.Persistence;
using Coordination.ServiceDefaults.Telemetry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Coordination.ServiceDefaults.Outbox;

public sealed class GroupCommitOptions
{
    public const string Section = "GroupCommit";

    /// <summary>The most units of work one transaction carries; under load the queue fills batches up to this.</summary>
    public int MaxBatch { get; set; } = 128;
}

/// <summary>How a unit of work handed to the <see cref="GroupCommitWriter{TContext}"/> ended.</summary>
public enum GroupCommitOutcome
{
    /// <summary>Its effect, its outbox rows and its inbox entry are committed.</summary>
    Applied,

    /// <summary>Its inbox key was already committed, or earlier in the same batch: nothing changed.</summary>
    Duplicate,
}

/// <summary>
/// One consumer's unit of work: the effect it applies to the writer's context (staging outbox rows
/// and its inbox entry, then saving without committing), keyed by the inbox entry it writes.
/// </summary>
public sealed class GroupCommitWork<TContext>(
    Guid messageId,
    string consumer,
    bool serializable,
    Func<TContext, CancellationToken, Task> apply,
    CancellationToken cancellationToken,
    bool savesWithBatch = false
)
    where TContext : ServiceDbContext
{
    internal Guid MessageId { get; } = messageId;
    internal string Consumer { get; } = consumer;
    internal bool Serializable { get; } = serializable;

    /// <summary>
    /// Its effect reads nothing an earlier unit of the batch may have written, and it saves only when
    /// <see cref="ServiceDbContext.SavesWithBatch"/> is false: the writer may save a batch of such units at once.
    /// </summary>
    internal bool SavesWithBatch { get; } = savesWithBatch;
    internal Func<TContext, CancellationToken, Task> Apply { get; } = apply;
    internal CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>The consumer's span: staged messages carry its trace, not the writer's.</summary>
    internal Activity? Cause { get; } = Activity.Current;
    internal TaskCompletionSource<GroupCommitOutcome> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    internal (Guid, string) Key => (MessageId, Consumer);
}

/// <summary>
/// The one writer of a service's database in this process. Consumers hand it their unit of work and
/// wait; it commits whatever is queued in one transaction (a batch of one when idle), so one fsync
/// carries many messages, and completes each unit only after that commit: the consumer returns, and
/// MassTransit acks, once its effect is durable. Each unit runs behind its own savepoint, so one that
/// fails (bad input, a broken rule) is rolled back and fails alone while the rest commit. A key seen
/// twice in a batch, or already in the inbox, changes nothing.
/// </summary>
/// <remarks>
/// Other instances of the service have writers of their own on the same database: SQLite's write lock
/// (BEGIN IMMEDIATE, waited for with busy_timeout) or SQL Server's locks order them, and a duplicate
/// inbox key committed by another instance in between is recognised by its error number
/// (<see cref="DatabaseErrors.IsDuplicateKey"/>). The whole batch runs inside EF Core's execution
/// strategy, which replays it from the start on a transient failure: the same code for both providers.
/// </remarks>
public sealed class GroupCommitWriter<TContext> : IAsyncDisposable
    where TContext : ServiceDbContext
{
    private const string Savepoint = "unit";
    private static readonly Histogram<int> BatchSizes = CoordinationTelemetry.Meter.CreateHistogram<int>(
        "coordination.group_commit.batch",
        description: "Units of work committed together in one transaction"
    );
    private static readonly KeyValuePair<string, object?> ContextTag = new("coordination.outbox.context", typeof(TContext).Name);

    private readonly IServiceScopeFactory _scopes;
    private readonly int _maxBatch;
    private readonly Channel<GroupCommitWork<TContext>> _queue = Channel.CreateUnbounded<GroupCommitWork<TContext>>(
        new UnboundedChannelOptions { SingleReader = true }
    );
    private readonly Lazy<Task> _loop;

    public GroupCommitWriter(IServiceScopeFactory scopes, IOptions<GroupCommitOptions> options)
    {
        _scopes = scopes;
        _maxBatch = Math.Max(1, options.Value.MaxBatch);
        _loop = new Lazy<Task>(() => Task.Run(RunAsync), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>
    /// Queues <paramref name="work"/>; completes once it is committed (or found a duplicate), fails with its own exception.
    /// </summary>
    public Task<GroupCommitOutcome> CommitAsync(GroupCommitWork<TContext> work)
    {
        _ = _loop.Value;
        if (!_queue.Writer.TryWrite(work))
            throw new ObjectDisposedException(nameof(GroupCommitWriter<TContext>));
        return work.Done.Task;
    }

    private async Task RunAsync()
    {
        var batch = new List<GroupCommitWork<TContext>>(_maxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < _maxBatch && _queue.Reader.TryRead(out var work))
            {
                if (work.CancellationToken.IsCancellationRequested)
                    work.Done.TrySetCanceled(work.CancellationToken);
                else
                    batch.Add(work);
            }
            if (batch.Count == 0)
                continue;
            try
            {
                await CommitBatchAsync(batch);
            }
            catch (Exception) when (batch.Count > 1)
            {
                // The transaction as a whole failed (a unit that doomed it, a commit refused): each
                // unit is tried again alone, so that only the one at fault fails.
                foreach (var work in batch)
                {
                    try
                    {
                        await CommitBatchAsync([work]);
                    }
                    catch (Exception alone)
                    {
                        work.Done.TrySetException(alone);
                    }
                }
            }
            catch (Exception ex)
            {
                batch[0].Done.TrySetException(ex);
            }
            batch.Clear();
        }
    }

    /// <summary>
    /// Commits <paramref name="batch"/> in one transaction and completes every unit in it; throws only when the transaction itself failed.
    /// </summary>
    internal async Task CommitBatchAsync(IReadOnlyList<GroupCommitWork<TContext>> batch)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        // Each unit has its own savepoint; EF's per-SaveChanges one would only add a statement.
        db.Database.AutoSavepointsEnabled = false;
        var isolation = batch.Any(w => w.Serializable) ? IsolationLevel.Serializable : IsolationLevel.ReadCommitted;
        var results = new (GroupCommitOutcome Outcome, Exception? Failure)[batch.Count];
        var together = batch.Count > 1 && batch.All(w => w.SavesWithBatch);

        await db
            .Database.CreateExecutionStrategy()
            .ExecuteAsync(async () =>
            {
                db.ChangeTracker.Clear();
                Array.Clear(results);
                await using var transaction = await db.Database.BeginTransactionAsync(isolation);
                var ids = batch.Select(w => w.MessageId).Distinct().ToList();
                var committed = (
                    await db
                        .InboxEntries.AsNoTracking()
                        .Where(e => ids.Contains(e.MessageId))
                        .Select(e => new { e.MessageId, e.Consumer })
                        .ToListAsync()
                )
                    .Select(e => (e.MessageId, e.Consumer))
                    .ToHashSet();
                if (together)
                {
                    await ApplyAndSaveTogetherAsync(db, batch, committed, results);
                    await transaction.CommitAsync();
                    return;
                }
                for (var i = 0; i < batch.Count; i++)
                {
                    var work = batch[i];
                    if (committed.Contains(work.Key))
                    {
                        results[i] = (GroupCommitOutcome.Duplicate, null);
                        continue;
                    }
                    var mark = db.StagedOutboxMark;
                    await transaction.CreateSavepointAsync(Savepoint);
                    var previous = Activity.Current;
                    try
                    {
                        Activity.Current = work.Cause;
                        await work.Apply(db, work.CancellationToken);
                        await transaction.ReleaseSavepointAsync(Savepoint);
                        results[i] = (GroupCommitOutcome.Applied, null);
                        // Only an applied key makes a later copy in the batch a duplicate: a copy of a unit that failed tries on its own.
                        committed.Add(work.Key);
                    }
                    catch (Exception ex)
                    {
                        Activity.Current = previous;
                        try
                        {
                            await transaction.RollbackToSavepointAsync(Savepoint);
                        }
                        catch
                        {
                            // The server ended the whole transaction (a deadlock victim): the strategy decides on the original error.
                            ExceptionDispatchInfo.Throw(ex);
                        }
                        db.DiscardStagedOutboxFrom(mark);
                        db.ChangeTracker.Clear();
                        // Another instance committed the same inbox key since the check above.
                        results[i] =
                            DatabaseErrors.IsDuplicateKey(ex)
                            && await db.InboxEntries.AnyAsync(e => e.MessageId == work.MessageId && e.Consumer == work.Consumer)
                                ? (GroupCommitOutcome.Duplicate, null)
                                : (GroupCommitOutcome.Applied, ex);
                    }
                    finally
                    {
                        Activity.Current = previous;
                        db.ChangeTracker.Clear();
                    }
                }
                await transaction.CommitAsync();
            });

        // The commit handed the applied units' outbox rows to the relay (OutboxInterceptor).
        BatchSizes.Record(batch.Count, ContextTag);
        for (var i = 0; i < batch.Count; i++)
        {
            if (results[i].Failure is { } failure)
                batch[i].Done.TrySetException(failure);
            else
                batch[i].Done.TrySetResult(results[i].Outcome);
        }
    }

    /// <summary>
    /// Applies every unit of <paramref name="batch"/> to <paramref name="db"/> and saves them in one
    /// <c>SaveChanges</c>: EF Core's change detection, interceptors and command building once per batch
    /// instead of once per unit, and no savepoints. A unit that fails before it tracked anything fails
    /// alone; any other failure (a unit that failed half-way, the save refused) fails the transaction,
    /// and the batch is tried again one unit at a time (<see cref="RunAsync"/>), each behind its savepoint.
    /// </summary>
    private static async Task ApplyAndSaveTogetherAsync(
        TContext db,
        IReadOnlyList<GroupCommitWork<TContext>> batch,
        HashSet<(Guid, string)> committed,
        (GroupCommitOutcome Outcome, Exception? Failure)[] results
    )
    {
        var touched = 0;
        void Tracked(object? sender, Microsoft.EntityFrameworkCore.ChangeTracking.EntityTrackedEventArgs e) => touched++;
        void Changed(object? sender, Microsoft.EntityFrameworkCore.ChangeTracking.EntityStateChangedEventArgs e) => touched++;
        db.ChangeTracker.Tracked += Tracked;
        db.ChangeTracker.StateChanged += Changed;
        db.SavesWithBatch = true;
        try
        {
            for (var i = 0; i < batch.Count; i++)
            {
                var work = batch[i];
                if (committed.Contains(work.Key))
                {
                    results[i] = (GroupCommitOutcome.Duplicate, null);
                    continue;
                }
                var before = touched;
                var previous = Activity.Current;
                try
                {
                    Activity.Current = work.Cause;
                    await work.Apply(db, work.CancellationToken);
                    results[i] = (GroupCommitOutcome.Applied, null);
                    committed.Add(work.Key);
                }
                catch (Exception ex) when (touched == before)
                {
                    // Refused before it changed anything (a broken rule, unreadable input): nothing to take back.
                    results[i] = (GroupCommitOutcome.Applied, ex);
                }
                finally
                {
                    Activity.Current = previous;
                }
            }
            await db.SaveChangesAsync();
        }
        finally
        {
            db.SavesWithBatch = false;
            db.ChangeTracker.Tracked -= Tracked;
            db.ChangeTracker.StateChanged -= Changed;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (_loop.IsValueCreated)
            await _loop.Value;
    }
}

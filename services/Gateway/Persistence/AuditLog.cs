using Coordination.Gateway.Domain;
using Microsoft.EntityFrameworkCore;

namespace Coordination.Gateway.Persistence;

/// <summary>
/// Serialises appends within this process: each entry links to the one before it. Between gateway
/// processes the database does it: <see cref="AuditEntry.Sequence"/> is the table's key, so the
/// second of two appends linked onto the same head fails, and <see cref="AuditLog"/> links it again.
/// </summary>
public sealed class AuditAppendLock
{
    public SemaphoreSlim Gate { get; } = new(1, 1);
}

/// <summary>Appends decisions to the chained audit log, committing them with the changes the caller staged.</summary>
public sealed class AuditLog(GatewayDbContext db, AuditAppendLock appendLock, TimeProvider clock, AuditCheckpointer checkpointer)
{
    /// <summary>
    /// Each lost race means another instance committed, so the chain moves on; but an instance can
    /// lose many in a row to a faster one (two cores, one always first to the lock), hence a wide bound.
    /// </summary>
    public const int MaxLinkAttempts = 200;

    private readonly List<AuditRecord> _staged = [];

    /// <summary>Queues a decision; <see cref="SaveAsync"/> links and commits it with everything else staged.</summary>
    public void Stage(AuditRecord record) => _staged.Add(record);

    public async Task<AuditEntry> AppendAndSaveAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        Stage(record);
        return (await SaveAsync(cancellationToken))[^1];
    }

    /// <summary>
    /// One commit for the caller's changes and the staged decisions, linked under the append lock,
    /// then a signed checkpoint of the new head. When another gateway instance committed entries at
    /// the same sequences first, the staged decisions are linked after them and the whole commit is
    /// tried again: the caller's other changes stay staged and go with it, and a clash of the caller's
    /// own (a duplicate ingress message) still reaches the caller as the DbUpdateException it expects.
    /// </summary>
    public async Task<IReadOnlyList<AuditEntry>> SaveAsync(CancellationToken cancellationToken)
    {
        await appendLock.Gate.WaitAsync(cancellationToken);
        try
        {
            var entries = await LinkAndSaveAsync(cancellationToken);
            if (entries.Count > 0)
                checkpointer.Checkpoint(entries[^1]);
            return entries;
        }
        finally
        {
            // Committed or not, these records are spent: a retry stages its decisions anew.
            _staged.Clear();
            appendLock.Gate.Release();
        }
    }

    /// <summary>
    /// Set while a batch of decisions shares one transaction (<see cref="Coordination.Gateway.Application.Ingress.IngressBatch"/>): a
    /// decision then saves the caller's changes and stages its record, and the batch links every record
    /// onto the head once, in one commit, under the append lock it holds for the whole transaction.
    /// </summary>
    public bool Batched { get; private set; }

    internal int StagedCount => _staged.Count;

    /// <summary>Takes the append lock for a batch's transaction: the lock before the database's, as every appender takes them.</summary>
    internal async Task<IAsyncDisposable> HoldForBatchAsync(CancellationToken cancellationToken)
    {
        await appendLock.Gate.WaitAsync(cancellationToken);
        Batched = true;
        _staged.Clear();
        return new Release(this);
    }

    /// <summary>A decision of the batch that failed: its records go with its rolled-back changes.</summary>
    internal void UnstageFrom(int count) => _staged.RemoveRange(count, _staged.Count - count);

    internal void ClearStaged() => _staged.Clear();

    /// <summary>In a batch: links the staged records onto the head and saves them in the batch's transaction.</summary>
    internal Task<IReadOnlyList<AuditEntry>> LinkBatchAsync(CancellationToken cancellationToken) => LinkAndSaveAsync(cancellationToken);

    /// <summary>After the batch's commit, never before: a checkpoint vouches only for what is durable.</summary>
    internal void Checkpoint(IReadOnlyList<AuditEntry> entries)
    {
        if (entries.Count > 0)
            checkpointer.Checkpoint(entries[^1]);
    }

    /// <summary>
    /// One decision: appended and committed now, or, in a batch, its changes saved and its record staged for the batch's commit.
    /// </summary>
    public async Task DecideAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        if (!Batched)
        {
            await AppendAndSaveAsync(record, cancellationToken);
            return;
        }
        await db.SaveChangesAsync(cancellationToken);
        Stage(record);
    }

    private void EndBatch()
    {
        Batched = false;
        _staged.Clear();
        appendLock.Gate.Release();
    }

    private sealed class Release(AuditLog log) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            log.EndBatch();
            return ValueTask.CompletedTask;
        }
    }

    private async Task<IReadOnlyList<AuditEntry>> LinkAndSaveAsync(CancellationToken cancellationToken)
    {
        {
            for (var attempt = 1; ; attempt++)
            {
                var (sequence, hash) = await HeadAsync(cancellationToken);
                var entries = new List<AuditEntry>();
                foreach (var record in _staged)
                {
                    var entry = AuditEntry.Next(record, ++sequence, hash, clock.GetUtcNow());
                    hash = entry.Hash;
                    db.Audit.Add(entry);
                    entries.Add(entry);
                }
                try
                {
                    await db.SaveChangesAsync(cancellationToken);
                }
                catch (DbUpdateException) when (entries.Count > 0 && attempt < MaxLinkAttempts)
                {
                    // Nothing committed: these links point at a head that may no longer be the head.
                    foreach (var entry in entries)
                        db.Entry(entry).State = EntityState.Detached;
                    // Only a head that moved past the one linked onto means the clash was on the sequence.
                    if ((await HeadAsync(cancellationToken)).Sequence < entries[0].Sequence)
                        throw;
                    continue;
                }
                return entries;
            }
        }
    }

    /// <summary>The chain's own checks, and the signed checkpoints against it: a cut tail or a recomputed chain does not verify.</summary>
    public async Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken)
    {
        // Checkpoints first: each is written after its commit, so every one read here vouches for an
        // entry the chain read next holds. The other order would call a commit in between a truncation.
        var checkpoints = checkpointer.Store.ReadAll();
        var entries = await db.Audit.AsNoTracking().OrderBy(a => a.Sequence).ToListAsync(cancellationToken);
        var trusted = checkpointer.Keys.TrustedKeys();
        try
        {
            return AuditAnchor.Verify(entries, checkpoints, trusted);
        }
        finally
        {
            foreach (var key in trusted.Values)
                key.Dispose();
        }
    }

    private async Task<(long Sequence, string Hash)> HeadAsync(CancellationToken cancellationToken)
    {
        var last = await db
            .Audit.AsNoTracking()
            .OrderByDescending(a => a.Sequence)
            .Select(a => new { a.Sequence, a.Hash })
            .FirstOrDefaultAsync(cancellationToken);
        return (last?.Sequence ?? 0, last?.Hash ?? AuditEntry.Genesis);
    }
}

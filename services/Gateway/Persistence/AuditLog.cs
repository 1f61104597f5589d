using Coordination.Gateway.Domain;
using Microsoft.EntityFrameworkCore;

namespace Coordination.Gateway.Persistence;

/// <summary>Serialises appends within this process: each entry links to the one before it.</summary>
public sealed class AuditAppendLock
{
    public SemaphoreSlim Gate { get; } = new(1, 1);
}

/// <summary>Appends decisions to the chained audit log, committing them with the changes the caller staged.</summary>
public sealed class AuditLog(GatewayDbContext db, AuditAppendLock appendLock, TimeProvider clock)
{
    private readonly List<AuditRecord> _staged = [];

    /// <summary>Queues a decision; <see cref="SaveAsync"/> links and commits it with everything else staged.</summary>
    public void Stage(AuditRecord record) => _staged.Add(record);

    public async Task<AuditEntry> AppendAndSaveAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        Stage(record);
        return (await SaveAsync(cancellationToken))[^1];
    }

    /// <summary>One commit for the caller's changes and the staged decisions, linked under the append lock.</summary>
    public async Task<IReadOnlyList<AuditEntry>> SaveAsync(CancellationToken cancellationToken)
    {
        await appendLock.Gate.WaitAsync(cancellationToken);
        try
        {
            var last = await db.Audit.AsNoTracking().OrderByDescending(a => a.Sequence)
                .Select(a => new { a.Sequence, a.Hash }).FirstOrDefaultAsync(cancellationToken);
            var (sequence, hash) = (last?.Sequence ?? 0, last?.Hash ?? AuditEntry.Genesis);
            var entries = new List<AuditEntry>();
            foreach (var record in _staged)
            {
                var entry = AuditEntry.Next(record, ++sequence, hash, clock.GetUtcNow());
                hash = entry.Hash;
                db.Audit.Add(entry);
                entries.Add(entry);
            }
            await db.SaveChangesAsync(cancellationToken);
            return entries;
        }
        finally
        {
            // Committed or not, these records are spent: a retry stages its decisions anew.
            _staged.Clear();
            appendLock.Gate.Release();
        }
    }

    public async Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken) =>
        AuditChain.Verify(await db.Audit.AsNoTracking().OrderBy(a => a.Sequence).ToListAsync(cancellationToken));
}

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
    public async Task<AuditEntry> AppendAndSaveAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        await appendLock.Gate.WaitAsync(cancellationToken);
        try
        {
            var last = await db.Audit.AsNoTracking().OrderByDescending(a => a.Sequence)
                .Select(a => new { a.Sequence, a.Hash }).FirstOrDefaultAsync(cancellationToken);
            var entry = AuditEntry.Next(record, (last?.Sequence ?? 0) + 1, last?.Hash ?? AuditEntry.Genesis, clock.GetUtcNow());
            db.Audit.Add(entry);
            await db.SaveChangesAsync(cancellationToken);
            return entry;
        }
        finally
        {
            appendLock.Gate.Release();
        }
    }

    public async Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken) =>
        AuditChain.Verify(await db.Audit.AsNoTracking().OrderBy(a => a.Sequence).ToListAsync(cancellationToken));
}

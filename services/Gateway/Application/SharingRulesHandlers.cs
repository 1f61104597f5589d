using Coordination.Contracts.Gateway;
using Coordination.Contracts.Values;
using Coordination.Gateway.Domain;
using Coordination.Gateway.Persistence;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Coordination.Gateway.Application;

/// <summary>
/// The CDPD adopts a new version of its règlement intérieur, on its working groups' proposal: audited in the same commit.
/// </summary>
public sealed class AdoptSharingRulesHandler(GatewayDbContext db, AuditLog audit, TimeProvider clock)
{
    public async Task<SharingRulesVersion> AdoptAsync(
        TerritoryCode territory,
        DateTimeOffset? inForceFrom,
        IReadOnlyList<string> proposedBy,
        IReadOnlyList<SharingRule> rules,
        string adoptedBy,
        CancellationToken cancellationToken
    )
    {
        var now = clock.GetUtcNow();
        var last = await db.SharingRules.Where(v => v.Territory == territory).MaxAsync(v => (int?)v.Version, cancellationToken) ?? 0;
        var version = SharingRulesVersion.Adopt(territory, last + 1, inForceFrom ?? now, now, adoptedBy, proposedBy, rules);
        db.SharingRules.Add(version);
        await audit.AppendAndSaveAsync(
            new AuditRecord(
                NewId.NextGuid(),
                AuditKind.RulesAdopted,
                adoptedBy,
                null,
                null,
                rules.Select(r => ClosedList<DataCategory>.WordOf(r.Category)).Distinct().ToList(),
                [$"sharing-rules:{territory.Value}:v{version.Version}"],
                version.Version,
                "adopted",
                "adopted by the CDPD"
            ),
            cancellationToken
        );
        return version;
    }
}

/// <summary>A territory's sharing rules as adopted, untracked: the version in force at a time, and the whole history.</summary>
public sealed class SharingRulesQueries(GatewayDbContext db, TimeProvider clock)
{
    public async Task<SharingRulesVersion?> InForceAsync(TerritoryCode territory, DateTimeOffset? at, CancellationToken cancellationToken)
    {
        var history = await db.SharingRules.AsNoTracking().Where(v => v.Territory == territory).ToListAsync(cancellationToken);
        return SharingRulesVersion.InForce(history, at ?? clock.GetUtcNow());
    }

    public Task<List<SharingRulesVersion>> HistoryAsync(TerritoryCode territory, CancellationToken cancellationToken) =>
        db.SharingRules.AsNoTracking().Where(v => v.Territory == territory).OrderBy(v => v.Version).ToListAsync(cancellationToken);
}

/// <summary>What an auditor reads of the chain: entries filtered, and the chain verified against its signed checkpoints.</summary>
public sealed class AuditQueries(GatewayDbContext db, AuditLog log)
{
    public Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken) => log.VerifyAsync(cancellationToken);

    /// <summary>
    /// Entries in sequence order after <paramref name="after"/>, optionally only of one kind, one source,
    /// or within [<paramref name="from"/>, <paramref name="to"/>), at most <paramref name="limit"/>.
    /// </summary>
    public Task<List<AuditEntry>> ListAsync(
        long after,
        int limit,
        AuditKind? kind,
        string? source,
        DateTimeOffset? from,
        DateTimeOffset? to,
        CancellationToken cancellationToken
    )
    {
        var query = db.Audit.AsNoTracking().Where(a => a.Sequence > after);
        if (kind is { } k)
            query = query.Where(a => a.Kind == k);
        if (!string.IsNullOrWhiteSpace(source))
            query = query.Where(a => a.Source == source);
        // Stored in UTC (AuditEntry.Next); on SQLite as a binary number that orders like the instant.
        if (from?.ToUniversalTime() is { } start)
            query = query.Where(a => a.At >= start);
        if (to?.ToUniversalTime() is { } end)
            query = query.Where(a => a.At < end);
        return query.OrderBy(a => a.Sequence).Take(limit).ToListAsync(cancellationToken);
    }
}

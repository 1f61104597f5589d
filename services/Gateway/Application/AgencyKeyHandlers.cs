using Coordination.Contracts.Values;
using Coordination.Gateway.Domain;
using Coordination.Gateway.Persistence;
using Coordination.ServiceDefaults.Sealing;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Coordination.Gateway.Application;

/// <summary>
/// An agency's public sealing key registered (its proof of possession checked by the caller): the newest
/// key seals what the agency receives from then on, and whatever was held for want of a key is sealed for
/// it and released in the same commit.
/// </summary>
public sealed class RegisterAgencyKeyHandler(GatewayDbContext db, AuditLog audit, SealingKeyStore keys, TimeProvider clock)
{
    public sealed record Registered(string KeyId, bool Current, int Released);

    public async Task<Registered> RegisterAsync(string agency, byte[] publicKey, string registeredBy, CancellationToken ct)
    {
        var keyId = keys.AddPublicKey(agency, publicKey);
        var current = keys.CurrentKeyOf(agency);
        var released = await HeldDeliveries.ReleaseAsync(db, audit, keys, agency, current, clock.GetUtcNow(), ct);
        // Staged first: the registration precedes, in the chain, the releases it allows.
        audit.Stage(
            new AuditRecord(
                NewId.NextGuid(),
                AuditKind.KeyRegistered,
                registeredBy,
                agency,
                null,
                [],
                [$"agency:{agency}", $"key:{keyId}", $"held-released:{released}"],
                null,
                "registered",
                AgencyKeyReasons.KeyRegistered
            )
        );
        await audit.SaveAsync(ct);
        return new Registered(keyId, current.KeyId == keyId, released);
    }

    /// <summary>A refused registration or challenge is audited too, under its reason code.</summary>
    public Task RefuseAsync(string agency, string refusedFor, string reasonCode, CancellationToken ct)
    {
        // An id that fails the rule is not written to the audit log as given: it could be anything.
        var named = AgencyId.IsValid(agency) ? agency : null;
        return audit.AppendAndSaveAsync(
            new AuditRecord(
                NewId.NextGuid(),
                AuditKind.KeyRefused,
                refusedFor,
                named,
                null,
                [],
                named is null ? ["agency:invalid"] : [$"agency:{named}"],
                null,
                "refused",
                reasonCode
            ),
            ct
        );
    }
}

/// <summary>
/// What an agency reads of its own mailbox: the deliveries made for it, oldest first; a held one waits, unreadable, for its key.
/// </summary>
public sealed class MailboxQueries(GatewayDbContext db)
{
    public Task<List<AgencyDelivery>> InboxAsync(string agency, DateTimeOffset since, CancellationToken ct) =>
        db.Set<AgencyDelivery>()
            .AsNoTracking()
            // A held delivery is not in the mailbox yet: it waits, unreadable, for the agency's key.
            .Where(d => d.Agency == agency && d.CreatedAt > since && !d.Type.StartsWith(HeldDeliveries.Prefix))
            .OrderBy(d => d.CreatedAt)
            .Take(500)
            .ToListAsync(ct);
}

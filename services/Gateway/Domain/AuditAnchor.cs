using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Coordination.Gateway.Domain;

/// <summary>
/// A signed statement of the chain's head: "at <see cref="At"/>, entry <see cref="Sequence"/> had
/// hash <see cref="Hash"/>". The hash chain alone proves nothing against whoever can rewrite the
/// whole table (cut its tail, or recompute every hash); a checkpoint kept outside the gateway's
/// database, signed by a key that account never sees, does.
/// </summary>
public sealed record AuditCheckpoint(long Sequence, string Hash, DateTimeOffset At, string Instance, string KeyId, string Signature)
{
    /// <summary>What is signed: a versioned, unambiguous encoding (a JSON array) of every field but the signature.</summary>
    public byte[] SignedBytes() =>
        Encoding.UTF8.GetBytes(
            JsonSerializer.Serialize(new object?[] { "coordination-audit-checkpoint/1", Sequence, Hash, At.UtcTicks, Instance, KeyId })
        );

    public static AuditCheckpoint Sign(long sequence, string hash, DateTimeOffset at, string instance, string keyId, ECDsa key)
    {
        // Whole milliseconds in UTC, as the entries keep time: the file's round trip keeps the signed value.
        var unsigned = new AuditCheckpoint(
            sequence,
            hash,
            new DateTimeOffset(at.UtcTicks - at.UtcTicks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero),
            instance,
            keyId,
            ""
        );
        return unsigned with { Signature = Convert.ToBase64String(key.SignData(unsigned.SignedBytes(), HashAlgorithmName.SHA256)) };
    }

    /// <summary>True when a key the verifier trusts (by id) signed exactly these fields.</summary>
    public bool IsSignedBy(IReadOnlyDictionary<string, ECDsa> trustedKeys)
    {
        if (!trustedKeys.TryGetValue(KeyId, out var key))
            return false;
        Span<byte> signature = stackalloc byte[128];
        return Convert.TryFromBase64String(Signature, signature, out var length)
            && key.VerifyData(SignedBytes(), signature[..length], HashAlgorithmName.SHA256);
    }

    /// <summary>Key ids are a digest of the public key, so a checkpoint names its key without configuring ids.</summary>
    public static string KeyIdOf(ECDsa key) => Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()))[..16];
}

public static class AuditAnchor
{
    /// <summary>
    /// The chain's own checks, then every checkpoint against it: a checkpoint no trusted key signed is
    /// <c>checkpoint-forged</c>; a checkpointed sequence past the chain's end is <c>truncated</c> (naming
    /// the first missing sequence); a checkpointed entry whose hash differs is <c>rewritten</c>.
    /// </summary>
    public static AuditVerification Verify(
        IReadOnlyList<AuditEntry> entriesInOrder,
        IEnumerable<AuditCheckpoint> checkpoints,
        IReadOnlyDictionary<string, ECDsa> trustedKeys
    )
    {
        var ordered = checkpoints.OrderBy(c => c.Sequence).ThenBy(c => c.At).ToList();
        var signed = ordered.Where(c => c.IsSignedBy(trustedKeys)).ToHashSet();
        long? newest = signed.Count == 0 ? null : signed.Max(c => c.Sequence);

        var chain = AuditChain.Verify(entriesInOrder);
        if (!chain.Intact)
            return chain with { NewestCheckpointSequence = newest };

        var bySequence = entriesInOrder.ToDictionary(e => e.Sequence);
        var head = entriesInOrder.Count == 0 ? 0 : entriesInOrder[^1].Sequence;
        var held = 0;
        foreach (var checkpoint in ordered)
        {
            AuditVerification Broken(long sequence, Guid? decisionId, string problem) =>
                new(false, chain.EntriesChecked, sequence, decisionId, problem, held, newest);

            if (!signed.Contains(checkpoint))
                return Broken(checkpoint.Sequence, null, "checkpoint-forged");
            if (checkpoint.Sequence > head)
                return Broken(head + 1, null, "truncated");
            if (!bySequence.TryGetValue(checkpoint.Sequence, out var entry))
                return Broken(checkpoint.Sequence, null, "missing-entry");
            // Every hash covers all the entries before it: an entry changed anywhere up to here, with
            // every later hash recomputed, still gives this sequence another hash than the signed one.
            if (entry.Hash != checkpoint.Hash)
                return Broken(checkpoint.Sequence, entry.DecisionId, "rewritten");
            held++;
        }
        return chain with { CheckpointsChecked = held, NewestCheckpointSequence = newest };
    }
}

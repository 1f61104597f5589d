using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Coordination.Contracts.Values;

namespace Coordination.Gateway.Domain;

[JsonConverter(typeof(KebabCaseEnumConverter<AuditKind>))]
public enum AuditKind
{
    IngressAccepted = 1,
    IngressRejected,
    Released,
    Denied,
    RulesAdopted,
    KeyRegistered,
    KeyRefused,
    DirectoryRegistered,
    DirectoryRetired,
    PersonFileRequested,
}

/// <summary>What is written of one decision: references and codes, never the data itself.</summary>
public sealed record AuditRecord(
    Guid DecisionId,
    AuditKind Kind,
    string Source,
    string? Recipient,
    string? Purpose,
    IReadOnlyList<string> Categories,
    IReadOnlyList<string> References,
    int? RulesVersion,
    string Outcome,
    string Reason
);

/// <summary>
/// One link of the tamper-evident audit log: each entry's hash covers its own fields and the hash
/// of the entry before it, so a changed, removed or reordered entry breaks every link after it.
/// </summary>
public sealed class AuditEntry
{
    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";

    public long Sequence { get; private init; }
    public Guid DecisionId { get; private init; }
    public DateTimeOffset At { get; private init; }
    public AuditKind Kind { get; private init; }
    public string Source { get; private init; } = "";
    public string? Recipient { get; private init; }
    public string? Purpose { get; private init; }
    public string Categories { get; private init; } = "";
    public string References { get; private init; } = "";
    public int? RulesVersion { get; private init; }
    public string Outcome { get; private init; } = "";
    public string Reason { get; private init; } = "";
    public string PreviousHash { get; private init; } = Genesis;
    public string Hash { get; private set; } = "";

    private AuditEntry() { }

    public static AuditEntry Next(AuditRecord record, long sequence, string previousHash, DateTimeOffset at)
    {
        var entry = new AuditEntry
        {
            Sequence = sequence,
            DecisionId = record.DecisionId,
            // Whole milliseconds in UTC: what every store keeps exactly, so the hash survives a round trip.
            At = new DateTimeOffset(at.UtcTicks - at.UtcTicks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero),
            Kind = record.Kind,
            Source = record.Source,
            Recipient = record.Recipient,
            Purpose = record.Purpose,
            Categories = string.Join(',', record.Categories),
            References = string.Join(',', record.References),
            RulesVersion = record.RulesVersion,
            Outcome = record.Outcome,
            Reason = record.Reason,
            PreviousHash = previousHash,
        };
        entry.Hash = entry.ComputeHash();
        return entry;
    }

    /// <summary>SHA-256 over an unambiguous encoding (a JSON array) of every field and the previous hash.</summary>
    public string ComputeHash()
    {
        var canonical = JsonSerializer.Serialize(
            new object?[]
            {
                Sequence,
                DecisionId,
                At.UtcTicks,
                (int)Kind,
                Source,
                Recipient,
                Purpose,
                Categories,
                References,
                RulesVersion,
                Outcome,
                Reason,
                PreviousHash,
            }
        );
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }
}

/// <summary>
/// What <c>/audit/verify</c> answers. <see cref="CheckpointsChecked"/> and <see cref="NewestCheckpointSequence"/>
/// say how far the signed checkpoints (<see cref="AuditAnchor"/>) vouch for the chain: entries after the
/// newest checkpoint rest on the hash chain alone.
/// </summary>
public sealed record AuditVerification(
    bool Intact,
    int EntriesChecked,
    long? FirstBrokenSequence,
    Guid? FirstBrokenDecisionId,
    string? Problem,
    int CheckpointsChecked = 0,
    long? NewestCheckpointSequence = null
);

public static class AuditChain
{
    /// <summary>Recomputes the chain in sequence order and names the first entry that does not hold.</summary>
    public static AuditVerification Verify(IEnumerable<AuditEntry> entriesInOrder)
    {
        var previous = AuditEntry.Genesis;
        long? expectedSequence = null;
        var checkedCount = 0;
        foreach (var entry in entriesInOrder)
        {
            string? problem = null;
            if (expectedSequence is { } expected && entry.Sequence != expected)
                problem = "missing-entry";
            else if (entry.PreviousHash != previous)
                problem = "chain-broken";
            else if (entry.ComputeHash() != entry.Hash)
                problem = "entry-altered";
            if (problem is not null)
                return new AuditVerification(false, checkedCount, entry.Sequence, entry.DecisionId, problem);
            previous = entry.Hash;
            expectedSequence = entry.Sequence + 1;
            checkedCount++;
        }
        return new AuditVerification(true, checkedCount, null, null, null);
    }
}

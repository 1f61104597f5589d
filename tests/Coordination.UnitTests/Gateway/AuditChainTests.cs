using Coordination.Gateway.Domain;

namespace Coordination.UnitTests.Gateway;

public sealed class AuditChainTests
{
    private static List<AuditEntry> Chain(int length)
    {
        var chain = new List<AuditEntry>();
        var previous = AuditEntry.Genesis;
        for (var i = 1; i <= length; i++)
        {
            var entry = AuditEntry.Next(
                new AuditRecord(
                    Guid.NewGuid(),
                    AuditKind.Denied,
                    "supervision",
                    $"75-association",
                    "community-supervision",
                    ["identity"],
                    [$"person:75-P-{i}"],
                    1,
                    "denied",
                    "no-rule-grants"
                ),
                i,
                previous,
                DateTimeOffset.UnixEpoch.AddMinutes(i)
            );
            chain.Add(entry);
            previous = entry.Hash;
        }
        return chain;
    }

    [Fact]
    public void An_untouched_chain_verifies()
    {
        var verification = AuditChain.Verify(Chain(6));
        Assert.True(verification.Intact);
        Assert.Equal(6, verification.EntriesChecked);
    }

    [Fact]
    public void A_removed_entry_is_named()
    {
        var chain = Chain(6);
        var removed = chain[2];
        chain.RemoveAt(2);
        var verification = AuditChain.Verify(chain);
        Assert.False(verification.Intact);
        Assert.Equal((4L, "missing-entry"), (verification.FirstBrokenSequence!.Value, verification.Problem!));
        Assert.NotEqual(removed.DecisionId, verification.FirstBrokenDecisionId);
    }

    [Fact]
    public void A_rewritten_entry_with_a_fresh_hash_breaks_the_link_after_it()
    {
        var chain = Chain(5);
        var original = chain[1];
        // A forger recomputes the altered entry's own hash; the next entry still points to the old one.
        chain[1] = AuditEntry.Next(
            new AuditRecord(
                original.DecisionId,
                AuditKind.Released,
                original.Source,
                original.Recipient,
                original.Purpose,
                ["identity"],
                [original.References],
                1,
                "released",
                "granted"
            ),
            original.Sequence,
            original.PreviousHash,
            original.At
        );
        var verification = AuditChain.Verify(chain);
        Assert.Equal((3L, "chain-broken"), (verification.FirstBrokenSequence!.Value, verification.Problem!));
    }
}

using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coordination.Gateway.Application;
using Coordination.Gateway.Application.Ingress;
using Coordination.Gateway.Domain;
using Coordination.Gateway.Persistence;
using Coordination.ServiceDefaults.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coordination.UnitTests.Gateway;

/// <summary>
/// The audit log against whoever can rewrite the gateway's database: its tail cut, or the whole chain
/// recomputed, is caught by the signed checkpoints kept outside it; and two gateway instances on one
/// database append without losing or doubling a sequence.
/// </summary>
public sealed class AuditAnchorTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("coordination-audit-").FullName;
    private string DatabaseFile => Path.Combine(_folder, "gateway.db");
    private string CheckpointFolder => Path.Combine(_folder, "audit-checkpoints");
    private string KeyFolder => Path.Combine(_folder, "keys", AuditSigningKeys.Owner);

    public AuditAnchorTests()
    {
        using var db = OpenDatabase();
        db.Database.Migrate();
    }

    private SqliteGatewayDbContext OpenDatabase(params IInterceptor[] interceptors) =>
        new(
            new DbContextOptionsBuilder<SqliteGatewayDbContext>()
                .UseSqlite($"Data Source={DatabaseFile}")
                .AddInterceptors(interceptors)
                .Options
        );

    /// <summary>What one gateway process holds: its own connection, its own append lock, the shared checkpoint folder and key.</summary>
    private AuditLog Gateway(GatewayDbContext db, string instance = "gateway-a") =>
        new(
            db,
            new AuditAppendLock(),
            TimeProvider.System,
            new AuditCheckpointer(
                new AuditCheckpointStore(CheckpointFolder),
                new AuditSigningKeys(KeyFolder),
                instance,
                TimeProvider.System,
                NullLogger<AuditCheckpointer>.Instance
            )
        );

    private static AuditRecord Decision(int i) =>
        new(
            Guid.NewGuid(),
            AuditKind.Denied,
            "supervision",
            "75-association",
            "community-supervision",
            ["identity"],
            [$"person:75-P-{i}"],
            1,
            "denied",
            "no-rule-grants"
        );

    private async Task<AuditLog> AppendedAsync(GatewayDbContext db, int count)
    {
        var log = Gateway(db);
        for (var i = 1; i <= count; i++)
            await log.AppendAndSaveAsync(Decision(i), CancellationToken.None);
        return log;
    }

    [Fact]
    public async Task A_court_report_naming_ten_thousand_persons_is_audited_whole_and_verifies()
    {
        await using var db = OpenDatabase();
        var log = await AppendedAsync(db, 2);
        var people = Enumerable
            .Range(0, 10_000)
            .Select(_ =>
                $"person:{Coordination.Contracts.Values.PersonRef.New(Coordination.Contracts.Values.TerritoryCode.Parse("75")).Value}"
            )
            .ToList();
        await log.AppendAndSaveAsync(
            new AuditRecord(
                Guid.NewGuid(),
                AuditKind.Released,
                "court-reporting",
                "75-jap",
                "court-reporting",
                ["court-report"],
                [$"release:{Guid.NewGuid()}", .. people],
                1,
                "released",
                "granted"
            ),
            CancellationToken.None
        );
        await AppendedAsync(db, 1);

        await using var fresh = OpenDatabase();
        var stored = await fresh.Audit.AsNoTracking().SingleAsync(a => a.Sequence == 3);
        Assert.Equal(people, stored.References.Split(',').Skip(1));
        var verification = await Gateway(fresh).VerifyAsync(CancellationToken.None);
        Assert.Equal((true, 4), (verification.Intact, verification.EntriesChecked));
    }

    [Fact]
    public async Task An_untouched_log_verifies_with_a_checkpoint_per_commit()
    {
        await using var db = OpenDatabase();
        var log = await AppendedAsync(db, 4);
        var verification = await log.VerifyAsync(CancellationToken.None);
        Assert.Equal(
            (true, 4, 4, 4L),
            (
                verification.Intact,
                verification.EntriesChecked,
                verification.CheckpointsChecked,
                verification.NewestCheckpointSequence!.Value
            )
        );
    }

    [Fact]
    public async Task Deleting_the_last_entries_is_detected_as_truncation_naming_the_first_missing_sequence()
    {
        await using var db = OpenDatabase();
        var log = await AppendedAsync(db, 6);
        await db.Database.ExecuteSqlRawAsync("DELETE FROM AuditLog WHERE Sequence > 3");

        // The chain by itself is a clean chain of three: only the checkpoints remember there were six.
        Assert.True(AuditChain.Verify(await db.Audit.AsNoTracking().OrderBy(a => a.Sequence).ToListAsync()).Intact);
        var verification = await log.VerifyAsync(CancellationToken.None);
        Assert.False(verification.Intact);
        Assert.Equal(("truncated", 4L), (verification.Problem!, verification.FirstBrokenSequence!.Value));
        Assert.Equal((3, 6L), (verification.EntriesChecked, verification.NewestCheckpointSequence!.Value));
    }

    [Fact]
    public async Task A_chain_rewritten_with_every_following_hash_and_link_recomputed_is_detected()
    {
        await using var db = OpenDatabase();
        var log = await AppendedAsync(db, 5);
        var original = await db.Audit.AsNoTracking().OrderBy(a => a.Sequence).ToListAsync();

        // The forger turns the second decision from a denial into a release and relinks everything after it.
        var forged = original.Take(1).ToList();
        foreach (var entry in original.Skip(1))
        {
            var outcome = entry.Sequence == 2 ? "released" : entry.Outcome;
            forged.Add(
                AuditEntry.Next(
                    new AuditRecord(
                        entry.DecisionId,
                        entry.Kind,
                        entry.Source,
                        entry.Recipient,
                        entry.Purpose,
                        entry.Categories.Split(','),
                        entry.References.Split(','),
                        entry.RulesVersion,
                        outcome,
                        entry.Reason
                    ),
                    entry.Sequence,
                    forged[^1].Hash,
                    entry.At
                )
            );
        }
        Assert.True(AuditChain.Verify(forged).Intact);
        foreach (var entry in forged.Skip(1))
            // What the compiler makes of a $"..." passed as a FormattableString, so the SQL stays parameterised
            // (a `+` of two $"..." would be a plain string); the format keeps the line under 140.
            await db.Database.ExecuteSqlAsync(
                FormattableStringFactory.Create(
                    "UPDATE AuditLog SET Outcome = {0}, PreviousHash = {1}, Hash = {2} WHERE Sequence = {3}",
                    entry.Outcome,
                    entry.PreviousHash,
                    entry.Hash,
                    entry.Sequence
                )
            );

        var verification = await log.VerifyAsync(CancellationToken.None);
        Assert.False(verification.Intact);
        Assert.Equal(("rewritten", 2L), (verification.Problem!, verification.FirstBrokenSequence!.Value));
        Assert.Equal(original[1].DecisionId, verification.FirstBrokenDecisionId);
        Assert.Equal(5, verification.EntriesChecked);
    }

    [Fact]
    public async Task A_checkpoint_signed_by_another_key_is_detected_as_forged()
    {
        await using var db = OpenDatabase();
        var log = await AppendedAsync(db, 3);
        var head = await db.Audit.AsNoTracking().OrderBy(a => a.Sequence).LastAsync();
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        // True about the chain, and naming the gateway's key id: but not the gateway's signature.
        var gatewayKeyId = new AuditSigningKeys(KeyFolder).Signer().KeyId;
        var forged = AuditCheckpoint.Sign(head.Sequence, head.Hash, DateTimeOffset.UtcNow, "gateway-a", gatewayKeyId, stranger);
        File.WriteAllText(
            Path.Combine(CheckpointFolder, $"{head.Sequence:D20}-forged.json"),
            JsonSerializer.Serialize(forged, new JsonSerializerOptions(JsonSerializerDefaults.Web))
        );

        var verification = await log.VerifyAsync(CancellationToken.None);
        Assert.False(verification.Intact);
        Assert.Equal(("checkpoint-forged", 3L), (verification.Problem!, verification.FirstBrokenSequence!.Value));
        Assert.Equal(3L, verification.NewestCheckpointSequence);
    }

    [Fact]
    public async Task An_edited_checkpoint_is_detected_as_forged()
    {
        await using var db = OpenDatabase();
        var log = await AppendedAsync(db, 3);
        // Edited to vouch for a shorter chain: the truncation it would hide is not hidden, the edit is named.
        var file = Directory.GetFiles(CheckpointFolder, "*.json").Order(StringComparer.Ordinal).Last();
        var checkpoint = JsonNode.Parse(File.ReadAllText(file))!;
        checkpoint["sequence"] = 2;
        File.WriteAllText(file, checkpoint.ToJsonString());

        var verification = await log.VerifyAsync(CancellationToken.None);
        Assert.False(verification.Intact);
        Assert.Equal("checkpoint-forged", verification.Problem);
    }

    [Fact]
    public async Task The_audit_signing_key_is_created_readable_by_its_owner_only_with_its_public_half_beside_it()
    {
        await using var db = OpenDatabase();
        await AppendedAsync(db, 1);
        var key = Assert.Single(Directory.GetFiles(KeyFolder, "*.key"));
        Assert.Single(Directory.GetFiles(KeyFolder, "*.pub"));
        Assert.Empty(Directory.GetFiles(KeyFolder, "*.tmp"));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
    }

    [Fact]
    public async Task After_a_rotation_old_checkpoints_still_verify_and_new_ones_are_signed_with_the_new_key()
    {
        await using (var db = OpenDatabase())
            await AppendedAsync(db, 2);
        var newKey = new AuditSigningKeys(KeyFolder).Rotate();
        // The old private key retired: only its public half stays, which is all verifying needs.
        foreach (var retired in Directory.GetFiles(KeyFolder, "*.key").Where(f => !f.Contains(newKey, StringComparison.Ordinal)))
            File.Delete(retired);

        await using var restarted = OpenDatabase();
        var log = Gateway(restarted);
        await log.AppendAndSaveAsync(Decision(3), CancellationToken.None);
        var verification = await log.VerifyAsync(CancellationToken.None);
        Assert.Equal((true, 3), (verification.Intact, verification.CheckpointsChecked));
        var newest = Directory.GetFiles(CheckpointFolder, "*.json").Order(StringComparer.Ordinal).Last();
        Assert.Equal(newKey, JsonDocument.Parse(File.ReadAllText(newest)).RootElement.GetProperty("keyId").GetString());
    }

    [Fact]
    public async Task Two_instances_appending_at_once_on_one_database_lose_no_sequence_double_none_and_both_checkpoints_verify()
    {
        const int each = 200;
        await using var dbA = OpenDatabase();
        await using var dbB = OpenDatabase();
        var (a, b) = (Gateway(dbA, "gateway-a"), Gateway(dbB, "gateway-b"));

        async Task AppendAsync(GatewayDbContext db, AuditLog log, string consumer)
        {
            for (var i = 0; i < each; i++)
            {
                // The caller's own change, committed with the decision whatever the number of links it takes.
                db.InboxEntries.Add(new InboxEntry { MessageId = Guid.NewGuid(), Consumer = consumer });
                await log.AppendAndSaveAsync(Decision(i), CancellationToken.None);
            }
        }
        await Task.WhenAll(Task.Run(() => AppendAsync(dbA, a, "a")), Task.Run(() => AppendAsync(dbB, b, "b")));

        await using var reader = OpenDatabase();
        var sequences = await reader.Audit.AsNoTracking().OrderBy(e => e.Sequence).Select(e => e.Sequence).ToListAsync();
        Assert.Equal(Enumerable.Range(1, 2 * each).Select(i => (long)i), sequences);
        Assert.Equal(2 * each, await reader.InboxEntries.CountAsync());

        var verification = await Gateway(reader, "auditor").VerifyAsync(CancellationToken.None);
        Assert.True(verification.Intact, verification.Problem);
        Assert.Equal(
            (2 * each, 2 * each, 2L * each),
            (verification.EntriesChecked, verification.CheckpointsChecked, verification.NewestCheckpointSequence!.Value)
        );
        var instances = new AuditCheckpointStore(CheckpointFolder)
            .ReadAll()
            .GroupBy(c => c.Instance)
            .ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal((each, each), (instances["gateway-a"], instances["gateway-b"]));
    }

    [Fact]
    public async Task An_append_beaten_to_its_sequence_by_another_instance_links_after_it_and_keeps_the_callers_changes()
    {
        await using var dbB = OpenDatabase();
        var b = Gateway(dbB, "gateway-b");
        // Instance B commits between A reading the head and A writing: A's first insert clashes on the sequence.
        var interloper = new CommitFirst(() => b.AppendAndSaveAsync(Decision(100), CancellationToken.None));
        await using var dbA = OpenDatabase(interloper);
        var a = Gateway(dbA, "gateway-a");

        dbA.InboxEntries.Add(new InboxEntry { MessageId = Guid.NewGuid(), Consumer = "a" });
        // A message staged for the outbox too: its store-generated key must survive the failed first write.
        dbA.PublishOnCommit(
            new Coordination.Contracts.Briefings.AnnualBriefingOverdue
            {
                Territory = Coordination.Contracts.Values.TerritoryCode.Parse("75"),
                Year = 2026,
                RaisedAt = DateTimeOffset.UnixEpoch,
            }
        );
        var entry = await a.AppendAndSaveAsync(Decision(1), CancellationToken.None);

        Assert.True(interloper.Fired);
        Assert.Equal(2L, entry.Sequence);
        await using var reader = OpenDatabase();
        Assert.Equal(1, await reader.InboxEntries.CountAsync(e => e.Consumer == "a"));
        Assert.Equal(1, await reader.OutboxMessages.CountAsync());
        Assert.True((await a.VerifyAsync(CancellationToken.None)).Intact);
    }

    [Fact]
    public async Task A_clash_of_the_callers_own_is_not_taken_for_a_sequence_clash_and_reaches_the_caller()
    {
        await using var db = OpenDatabase();
        var log = await AppendedAsync(db, 1);
        var messageId = Guid.NewGuid();
        db.IngressRecords.Add(
            new IngressRecord
            {
                Agency = "75-association",
                MessageId = messageId,
                Type = "t",
                Accepted = true,
                ReasonCode = "accepted",
                ReceivedAt = DateTimeOffset.UnixEpoch,
            }
        );
        await db.SaveChangesAsync();
        db.ChangeTracker.Clear();

        // The same message again: what IngressProcessor answers as a duplicate must still surface as one.
        db.IngressRecords.Add(
            new IngressRecord
            {
                Agency = "75-association",
                MessageId = messageId,
                Type = "t",
                Accepted = true,
                ReasonCode = "accepted",
                ReceivedAt = DateTimeOffset.UnixEpoch,
            }
        );
        await Assert.ThrowsAsync<DbUpdateException>(() => log.AppendAndSaveAsync(Decision(2), CancellationToken.None));
        db.ChangeTracker.Clear();
        Assert.Equal(1, await db.Audit.CountAsync());
    }

    /// <summary>Runs another instance's commit just before this context's first write reaches the database.</summary>
    private sealed class CommitFirst(Func<Task> otherCommit) : SaveChangesInterceptor
    {
        public bool Fired { get; private set; }

        public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(
            DbContextEventData eventData,
            InterceptionResult<int> result,
            CancellationToken cancellationToken = default
        )
        {
            if (!Fired)
            {
                Fired = true;
                await otherCommit();
            }
            return result;
        }
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException) { }
    }
}

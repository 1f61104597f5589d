using Coordination.Briefings.Persistence;
using Coordination.Contracts;
using Coordination.Contracts.Briefings;
using Coordination.Contracts.Values;
using Coordination.ServiceDefaults.Messaging;
using Coordination.ServiceDefaults.Outbox;
using Coordination.Testing;
using Coordination.UnitTests.Briefings;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Coordination.UnitTests.Support;

/// <summary>The group writer of a service's database, as the Briefings host registers it, on a real SQLite file.</summary>
public sealed class GroupCommitTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private const string Consumer = "tests.group-commit";

    [Fact]
    public async Task A_batch_holding_the_same_message_twice_applies_it_once_and_commits_the_rest_with_it()
    {
        await using var service = await WithoutRelay();
        var writer = service.Services.GetRequiredService<GroupCommitWriter<BriefingsDbContext>>();
        var transactions = new System.Collections.Concurrent.ConcurrentBag<Guid>();
        var twice = NewId.NextGuid();

        var units = await AsOneBatch(
            writer,
            new[] { twice, NewId.NextGuid(), twice, NewId.NextGuid() }.Select(id =>
                Unit(id, db => transactions.Add(db.Database.CurrentTransaction!.TransactionId))
            )
        );
        var outcomes = await Task.WhenAll(units);

        Assert.Equal(
            [GroupCommitOutcome.Applied, GroupCommitOutcome.Applied, GroupCommitOutcome.Duplicate, GroupCommitOutcome.Applied],
            outcomes
        );
        Assert.Single(transactions.Distinct());
        Assert.Equal(3, await service.Query(db => db.InboxEntries.CountAsync(e => e.Consumer == Consumer)));
        Assert.Equal(3, await service.Query(db => db.OutboxMessages.CountAsync()));

        // Delivered again later: the inbox has it, nothing changes.
        Assert.Equal(GroupCommitOutcome.Duplicate, await writer.CommitAsync(Unit(twice)));
        Assert.Equal(3, await service.Query(db => db.OutboxMessages.CountAsync()));
    }

    [Fact]
    public async Task A_poison_message_in_a_batch_fails_alone_with_its_own_error_and_leaves_nothing_behind()
    {
        await using var service = await WithoutRelay();
        var writer = service.Services.GetRequiredService<GroupCommitWriter<BriefingsDbContext>>();
        var transactions = new System.Collections.Concurrent.ConcurrentBag<Guid>();

        var (held, release) = await HoldTheWriter(writer);
        var before = Unit(NewId.NextGuid(), db => transactions.Add(db.Database.CurrentTransaction!.TransactionId));
        // It saved its rows before it broke a rule: the savepoint takes them back.
        var poisonId = NewId.NextGuid();
        var poison = new GroupCommitWork<BriefingsDbContext>(
            poisonId,
            Consumer,
            false,
            async (db, ct) =>
            {
                transactions.Add(db.Database.CurrentTransaction!.TransactionId);
                db.PublishOnCommit(Overdue("93"));
                await db.SaveChangesAsync(ct);
                throw new MessageRejectedException(ReasonCodes.InvalidPayload, "a rule of the test.");
            },
            CancellationToken.None
        );
        var after = Unit(NewId.NextGuid(), db => transactions.Add(db.Database.CurrentTransaction!.TransactionId));
        var tasks = new[] { writer.CommitAsync(before), writer.CommitAsync(poison), writer.CommitAsync(after) };
        release();
        await held;

        var refused = await Assert.ThrowsAsync<MessageRejectedException>(() => tasks[1]);
        Assert.Equal(ReasonCodes.InvalidPayload, refused.ReasonCode);
        Assert.Equal(GroupCommitOutcome.Applied, await tasks[0]);
        Assert.Equal(GroupCommitOutcome.Applied, await tasks[2]);
        Assert.Single(transactions.Distinct());
        Assert.Equal(2, await service.Query(db => db.OutboxMessages.CountAsync()));
        Assert.Equal(0, await service.Query(db => db.OutboxMessages.CountAsync(m => m.Body.Contains("\"93\""))));
        Assert.False(await service.Query(db => db.InboxEntries.AnyAsync(e => e.MessageId == poisonId)));
    }

    [Fact]
    public async Task A_unit_that_clashes_on_a_key_other_than_its_inbox_entry_fails_and_is_not_taken_for_a_duplicate()
    {
        await using var service = await WithoutRelay();
        var writer = service.Services.GetRequiredService<GroupCommitWriter<BriefingsDbContext>>();
        var fixedId = NewId.NextGuid();
        await writer.CommitAsync(Unit(NewId.NextGuid(), outboxMessageId: fixedId));

        // A new inbox key, but a message id the outbox already holds: a real failure, retried by the endpoint.
        var clash = writer.CommitAsync(Unit(NewId.NextGuid(), outboxMessageId: fixedId));
        var next = writer.CommitAsync(Unit(NewId.NextGuid()));

        var failure = await Assert.ThrowsAsync<DbUpdateException>(() => clash);
        Assert.True(Coordination.ServiceDefaults.Persistence.DatabaseErrors.IsDuplicateKey(failure));
        Assert.Equal(GroupCommitOutcome.Applied, await next);
        Assert.Equal(2, await service.Query(db => db.InboxEntries.CountAsync(e => e.Consumer == Consumer)));
    }

    [Fact]
    public async Task Briefings_delivered_at_once_with_a_duplicate_and_a_refused_one_are_each_applied_once()
    {
        await using var service = await BriefingsHarness.StartAsync(Now);
        var deliveries = ConsumeCounter<RecordPenalPolicyBriefing>.On(service.Harness.Bus);
        var ids = Enumerable.Range(0, 40).Select(_ => NewId.NextGuid()).ToList();
        var started = System.Diagnostics.Stopwatch.StartNew();

        var publishes = ids.Select(id => service.Harness.Bus.Publish(BriefingRulesTests.Valid(), ctx => ctx.MessageId = id))
            .Append(service.Harness.Bus.Publish(BriefingRulesTests.Valid(), ctx => ctx.MessageId = ids[7]))
            .Append(service.Harness.Bus.Publish(BriefingRulesTests.Valid(on: new DateOnly(2027, 1, 15))));
        await Task.WhenAll(publishes);

        await Poller.UntilAsync(() => deliveries.Consumed >= 41 && !deliveries.Faults.IsEmpty, "every delivery handled");
        await Poller.UntilAsync(async () => await service.UnsentOutboxCount() == 0, "the outbox relay drained");
        output.WriteLine($"42 deliveries handled in {started.ElapsedMilliseconds} ms");

        Assert.StartsWith(ReasonCodes.DateInFuture, Assert.Single(deliveries.Faults.DistinctBy(f => f.Message)).Message);
        Assert.Equal(40, await service.Query(db => db.Briefings.CountAsync()));
        Assert.Equal(40, await service.Query(db => db.InboxEntries.CountAsync()));
        Assert.Equal(40, service.Harness.Published.Select<PenalPolicyBriefingRecorded>().Count());
    }

    [Fact]
    public async Task The_relay_publishes_what_a_batch_committed_from_its_hand_off_and_never_what_a_poison_unit_saved_before_it_failed()
    {
        // Past the first pass, the relay reads the table only once an hour: what it publishes it was handed.
        await using var service = await BriefingsHarness.StartAsync(
            Now,
            new Dictionary<string, string?> { ["Outbox:PollInterval"] = "01:00:00" }
        );
        var writer = service.Services.GetRequiredService<GroupCommitWriter<BriefingsDbContext>>();
        var published = new System.Collections.Concurrent.ConcurrentBag<(Guid Id, string Territory)>();
        service.Harness.Bus.ConnectPublishObserver(new OverduePublished(published));
        var (held, release) = await HoldTheWriter(writer);
        var good = new[] { NewId.NextGuid(), NewId.NextGuid() };
        var poison = new GroupCommitWork<BriefingsDbContext>(
            NewId.NextGuid(),
            Consumer,
            false,
            async (db, ct) =>
            {
                db.PublishOnCommit(Overdue("93"));
                await db.SaveChangesAsync(ct);
                throw new MessageRejectedException(ReasonCodes.InvalidPayload, "a rule of the test.");
            },
            CancellationToken.None
        );
        var tasks = new[]
        {
            writer.CommitAsync(Unit(NewId.NextGuid(), outboxMessageId: good[0])),
            writer.CommitAsync(poison),
            writer.CommitAsync(Unit(NewId.NextGuid(), outboxMessageId: good[1])),
        };
        release();
        await held;
        await Assert.ThrowsAsync<MessageRejectedException>(() => tasks[1]);

        await Poller.UntilAsync(async () => await service.UnsentOutboxCount() == 0, "the committed rows sent");
        Assert.Equal(good.Order(), published.Select(p => p.Id).Order());
        Assert.DoesNotContain(published, p => p.Territory == "93");
        Assert.Equal(0, await service.Query(db => db.OutboxMessages.CountAsync(m => m.ClaimToken != null)));
    }

    [Fact]
    public async Task A_hand_off_is_taken_from_the_table_by_its_own_relay_once_half_its_lease_passed_and_by_another_only_once_it_ended()
    {
        await using var service = await WithoutRelay();
        var signal = service.Services.GetRequiredService<OutboxSignal<BriefingsDbContext>>();
        var published = new System.Collections.Concurrent.ConcurrentBag<(Guid Id, string Territory)>();
        service.Harness.Bus.ConnectPublishObserver(new OverduePublished(published));
        // Rows committed with a hand-off lease of 15 s (Outbox:ClaimFor): one this process's, one another instance's.
        await service.Query(async db =>
        {
            foreach (var (territory, token) in new[] { ("75", signal.HandoffToken), ("93", Guid.NewGuid()) })
            {
                db.PublishOnCommit(Overdue(territory));
                var row = db.ChangeTracker.Entries<OutboxMessage>().Single(e => e.State == EntityState.Added).Entity;
                row.ClaimToken = token;
                row.ClaimedUntil = service.Clock.GetUtcNow() + TimeSpan.FromSeconds(15);
                await db.SaveChangesAsync();
            }
            return 0;
        });
        var relay = ActivatorUtilities.CreateInstance<OutboxRelay<BriefingsDbContext>>(service.Services);

        Assert.Equal(0, await relay.PublishPendingAsync(CancellationToken.None));
        service.Clock.Advance(TimeSpan.FromSeconds(8));
        Assert.Equal(1, await relay.PublishPendingAsync(CancellationToken.None));
        Assert.Equal("75", Assert.Single(published).Territory);
        service.Clock.Advance(TimeSpan.FromSeconds(8));
        Assert.Equal(1, await relay.PublishPendingAsync(CancellationToken.None));
        Assert.Equal(["75", "93"], published.Select(p => p.Territory).Order());
        Assert.Equal(0, await service.UnsentOutboxCount());
    }

    [Fact]
    public async Task Units_that_save_with_their_batch_are_saved_by_the_writer_at_once_and_a_refused_one_fails_alone()
    {
        await using var service = await WithoutRelay();
        var writer = service.Services.GetRequiredService<GroupCommitWriter<BriefingsDbContext>>();
        var savedByWriter = new System.Collections.Concurrent.ConcurrentBag<bool>();
        var twice = NewId.NextGuid();
        var refusedId = NewId.NextGuid();

        var units = await AsOneBatch(
            writer,
            new[] { twice, NewId.NextGuid(), twice, refusedId, NewId.NextGuid() }.Select(id =>
                SavedWithBatch(id, savedByWriter, refuse: id == refusedId)
            )
        );

        var refused = await Assert.ThrowsAsync<MessageRejectedException>(() => units[3]);
        Assert.Equal(ReasonCodes.InvalidPayload, refused.ReasonCode);
        Assert.Equal(
            [GroupCommitOutcome.Applied, GroupCommitOutcome.Applied, GroupCommitOutcome.Duplicate, GroupCommitOutcome.Applied],
            await Task.WhenAll(units[0], units[1], units[2], units[4])
        );
        // Each unit left the save to the writer, and the writer saved them: one batch, no unit saved alone.
        Assert.Equal(3, savedByWriter.Count);
        Assert.All(savedByWriter, Assert.True);
        Assert.Equal(3, await service.Query(db => db.InboxEntries.CountAsync(e => e.Consumer == Consumer)));
        Assert.Equal(3, await service.Query(db => db.OutboxMessages.CountAsync()));
        Assert.False(await service.Query(db => db.InboxEntries.AnyAsync(e => e.MessageId == refusedId)));
    }

    [Fact]
    public async Task A_unit_saved_with_its_batch_that_fails_after_staging_fails_alone_and_the_others_are_applied_one_by_one()
    {
        await using var service = await WithoutRelay();
        var writer = service.Services.GetRequiredService<GroupCommitWriter<BriefingsDbContext>>();
        var savedByWriter = new System.Collections.Concurrent.ConcurrentBag<bool>();
        var poisonId = NewId.NextGuid();

        var units = await AsOneBatch(
            writer,
            new[] { NewId.NextGuid(), poisonId, NewId.NextGuid() }.Select(id =>
                SavedWithBatch(id, savedByWriter, refuseAfterStaging: id == poisonId)
            )
        );

        await Assert.ThrowsAsync<MessageRejectedException>(() => units[1]);
        Assert.Equal(GroupCommitOutcome.Applied, await units[0]);
        Assert.Equal(GroupCommitOutcome.Applied, await units[2]);
        // Tried together first (the writer would save), then each alone (each saves itself).
        Assert.Contains(true, savedByWriter);
        Assert.Contains(false, savedByWriter);
        Assert.Equal(2, await service.Query(db => db.InboxEntries.CountAsync(e => e.Consumer == Consumer)));
        Assert.Equal(2, await service.Query(db => db.OutboxMessages.CountAsync()));
        Assert.Equal(0, await service.Query(db => db.OutboxMessages.CountAsync(m => m.Body.Contains("\"93\""))));
    }

    /// <summary>
    /// A unit as <c>IdempotentConsumer</c> hands it when it may be saved with its batch: it saves only if the writer does not.
    /// </summary>
    private static GroupCommitWork<BriefingsDbContext> SavedWithBatch(
        Guid messageId,
        System.Collections.Concurrent.ConcurrentBag<bool> savedByWriter,
        bool refuse = false,
        bool refuseAfterStaging = false
    ) =>
        new(
            messageId,
            Consumer,
            false,
            async (db, ct) =>
            {
                if (refuse)
                    throw new MessageRejectedException(ReasonCodes.InvalidPayload, "a rule of the test.");
                db.PublishOnCommit(Overdue(refuseAfterStaging ? "93" : "75"));
                if (refuseAfterStaging)
                    throw new MessageRejectedException(ReasonCodes.InvalidPayload, "a rule of the test, broken half-way.");
                db.InboxEntries.Add(new InboxEntry { MessageId = messageId, Consumer = Consumer });
                savedByWriter.Add(db.SavesWithBatch);
                if (!db.SavesWithBatch)
                    await db.SaveChangesAsync(ct);
            },
            CancellationToken.None,
            savesWithBatch: true
        );

    private sealed class OverduePublished(System.Collections.Concurrent.ConcurrentBag<(Guid Id, string Territory)> published)
        : IPublishObserver
    {
        public Task PrePublish<T>(PublishContext<T> context)
            where T : class => Task.CompletedTask;

        public Task PostPublish<T>(PublishContext<T> context)
            where T : class
        {
            if (context.Message is AnnualBriefingOverdue overdue && context.MessageId is { } id)
                published.Add((id, overdue.Territory.ToString()));
            return Task.CompletedTask;
        }

        public Task PublishFault<T>(PublishContext<T> context, Exception exception)
            where T : class => Task.CompletedTask;
    }

    /// <summary>The Briefings host without its relay: what the writer committed stays in the outbox to be counted.</summary>
    private static Task<BriefingsHarness> WithoutRelay() =>
        BriefingsHarness.StartAsync(Now, new Dictionary<string, string?> { ["Outbox:RelayEnabled"] = "false" });

    /// <summary>
    /// Queues <paramref name="units"/> while the writer is held, so that they form one batch; their outcomes, once it ran.
    /// </summary>
    private static async Task<List<Task<GroupCommitOutcome>>> AsOneBatch(
        GroupCommitWriter<BriefingsDbContext> writer,
        IEnumerable<GroupCommitWork<BriefingsDbContext>> units
    )
    {
        var (held, release) = await HoldTheWriter(writer);
        var outcomes = units.Select(writer.CommitAsync).ToList();
        release();
        await held;
        return outcomes;
    }

    /// <summary>Occupies the writer with a unit that waits, so that the units queued meanwhile form the next batch.</summary>
    private static async Task<(Task Held, Action Release)> HoldTheWriter(GroupCommitWriter<BriefingsDbContext> writer)
    {
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = writer.CommitAsync(
            new GroupCommitWork<BriefingsDbContext>(
                NewId.NextGuid(),
                Consumer,
                false,
                async (db, ct) =>
                {
                    running.TrySetResult();
                    await gate.Task;
                    db.InboxEntries.Add(new InboxEntry { MessageId = NewId.NextGuid(), Consumer = "tests.hold" });
                    await db.SaveChangesAsync(ct);
                },
                CancellationToken.None
            )
        );
        await running.Task.WaitAsync(TimeSpan.FromSeconds(10));
        return (held, () => gate.TrySetResult());
    }

    /// <summary>What a consumer hands over: an outbox row and its inbox entry, saved, not committed.</summary>
    private static GroupCommitWork<BriefingsDbContext> Unit(
        Guid messageId,
        Action<BriefingsDbContext>? seen = null,
        Guid? outboxMessageId = null
    ) =>
        new(
            messageId,
            Consumer,
            false,
            async (db, ct) =>
            {
                seen?.Invoke(db);
                db.PublishOnCommit(Overdue("75"), messageId: outboxMessageId);
                db.InboxEntries.Add(new InboxEntry { MessageId = messageId, Consumer = Consumer });
                await db.SaveChangesAsync(ct);
            },
            CancellationToken.None
        );

    private static AnnualBriefingOverdue Overdue(string territory) =>
        new()
        {
            Territory = TerritoryCode.Parse(territory),
            Year = 2026,
            RaisedAt = Now,
        };
}

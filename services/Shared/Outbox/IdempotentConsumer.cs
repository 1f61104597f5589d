using Coordination.Contracts;
using Coordination.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Coordination.ServiceDefaults.Outbox;

/// <summary>
/// At-least-once on the wire, exactly-once in effect: the consumer's effect, the messages it stages
/// with <see cref="ServiceDbContext.PublishOnCommit{T}"/> and its inbox entry commit in one
/// transaction. A redelivery or a duplicate finds the entry and changes nothing. The unit of work is
/// handed to the database's <see cref="GroupCommitWriter{TContext}"/>, which commits it with whatever
/// else is waiting; <see cref="Consume"/> returns (and the message is acked) after that commit.
/// </summary>
public abstract class IdempotentConsumer<TMessage, TContext>(TContext db) : IConsumer<TMessage>
    where TMessage : class
    where TContext : ServiceDbContext
{
    private TContext? _writing;

    /// <summary>The context the effect is applied to: the group writer's while it runs this unit, the consumer's own otherwise.</summary>
    protected TContext Db => _writing ?? db;

    public async Task Consume(ConsumeContext<TMessage> context)
    {
        var messageId =
            context.MessageId ?? throw new MessageRejectedException(ReasonCodes.MalformedMessage, "the message has no message id.");
        var consumer = GetType().FullName!;
        if (CommitsInGroup && WriterOf(context) is { } writer)
        {
            await writer.CommitAsync(
                new GroupCommitWork<TContext>(
                    messageId,
                    consumer,
                    ReadsAndWritesInOneTransaction,
                    (target, _) => ApplyAsync(target, context, messageId, consumer),
                    context.CancellationToken,
                    savesWithBatch: !ReadsAndWritesInOneTransaction && !CommitsItsOwnWay(GetType())
                )
            );
            return;
        }
        if (!ReadsAndWritesInOneTransaction)
        {
            await ConsumeOnceAsync(context, messageId, consumer);
            return;
        }
        // What it read is still true when it writes: on SQLite the transaction takes the write lock
        // first (BEGIN IMMEDIATE), on SQL Server serializable range locks make a concurrent writer wait
        // or fail and be retried. The execution strategy replays the whole unit, never half of it.
        await Db
            .Database.CreateExecutionStrategy()
            .ExecuteAsync(async () =>
            {
                Db.ChangeTracker.Clear();
                await using var transaction = await Db.Database.BeginTransactionAsync(
                    System.Data.IsolationLevel.Serializable,
                    context.CancellationToken
                );
                if (await ConsumeOnceAsync(context, messageId, consumer))
                    await transaction.CommitAsync(context.CancellationToken);
            });
    }

    private static GroupCommitWriter<TContext>? WriterOf(ConsumeContext context)
    {
        IServiceProvider? services =
            context.TryGetPayload<IServiceProvider>(out var provider) ? provider
            : context.TryGetPayload<Microsoft.Extensions.DependencyInjection.IServiceScope>(out var scope) ? scope.ServiceProvider
            : null;
        return services?.GetService(typeof(GroupCommitWriter<TContext>)) as GroupCommitWriter<TContext>;
    }

    /// <summary>The unit of work as the group writer runs it, inside its transaction: the inbox check is the writer's.</summary>
    private async Task ApplyAsync(TContext target, ConsumeContext<TMessage> context, Guid messageId, string consumer)
    {
        _writing = target;
        try
        {
            await Handle(context);
            Db.InboxEntries.Add(new InboxEntry { MessageId = messageId, Consumer = consumer });
            if (!target.SavesWithBatch)
                await CommitAsync(context.CancellationToken);
        }
        finally
        {
            _writing = null;
        }
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, bool> OwnCommits = new();

    /// <summary>A consumer that overrides <see cref="CommitAsync"/> has its own commit discipline: the writer never saves for it.</summary>
    private static bool CommitsItsOwnWay(Type consumer) =>
        OwnCommits.GetOrAdd(
            consumer,
            t =>
                t.GetMethod(
                    nameof(CommitAsync),
                    System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic,
                    [typeof(CancellationToken)]
                )!.DeclaringType != typeof(IdempotentConsumer<TMessage, TContext>)
        );

    private async Task<bool> ConsumeOnceAsync(ConsumeContext<TMessage> context, Guid messageId, string consumer)
    {
        if (await Db.InboxEntries.AnyAsync(e => e.MessageId == messageId && e.Consumer == consumer, context.CancellationToken))
            return false;

        await Handle(context);
        Db.InboxEntries.Add(new InboxEntry { MessageId = messageId, Consumer = consumer });
        try
        {
            await CommitAsync(context.CancellationToken);
        }
        catch (DbUpdateException)
        {
            // A concurrent copy of the same message may have committed first; the retry will see its entry.
            Db.ChangeTracker.Clear();
            throw;
        }
        return true;
    }

    /// <summary>
    /// Whether the inbox check, the reads of <see cref="Handle"/> and the commit run in one
    /// transaction: for consumers whose decision rests on what they read (a tombstone, a list they extend).
    /// </summary>
    protected virtual bool ReadsAndWritesInOneTransaction => false;

    /// <summary>
    /// Whether the unit of work goes to the group writer. False for a consumer whose collaborators
    /// write through a context of their own (the consumer's scope), which the writer's transaction
    /// would not include: it commits alone, as before.
    /// </summary>
    protected virtual bool CommitsInGroup => true;

    /// <summary>Applies the effect to <see cref="Db"/> without saving: the base class commits it with the inbox entry.</summary>
    protected abstract Task Handle(ConsumeContext<TMessage> context);

    /// <summary>The one commit of effect, messages and inbox entry; a consumer with its own commit discipline overrides it.</summary>
    protected virtual Task CommitAsync(CancellationToken cancellationToken) => Db.SaveChangesAsync(cancellationToken);
}

using Coordination.Contracts;
using Coordination.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Coordination.ServiceDefaults.Outbox;

/// <summary>
/// At-least-once on the wire, exactly-once in effect: the consumer's effect, the messages it stages
/// with <see cref="ServiceDbContext.PublishOnCommit{T}"/> and its inbox entry commit in one
/// SaveChanges. A redelivery or a duplicate finds the entry and changes nothing.
/// </summary>
public abstract class IdempotentConsumer<TMessage, TContext>(TContext db) : IConsumer<TMessage>
    where TMessage : class
    where TContext : ServiceDbContext
{
    protected TContext Db { get; } = db;

    public async Task Consume(ConsumeContext<TMessage> context)
    {
        var messageId = context.MessageId
            ?? throw new MessageRejectedException(ReasonCodes.MalformedMessage, "the message has no message id.");
        var consumer = GetType().FullName!;
        if (!ReadsAndWritesInOneTransaction)
        {
            await ConsumeOnceAsync(context, messageId, consumer);
            return;
        }
        // What it read is still true when it writes: on SQLite the transaction takes the write lock
        // first (BEGIN IMMEDIATE), on SQL Server serializable range locks make a concurrent writer wait
        // or fail and be retried. The execution strategy replays the whole unit, never half of it.
        await Db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            Db.ChangeTracker.Clear();
            await using var transaction = await Db.Database.BeginTransactionAsync(System.Data.IsolationLevel.Serializable, context.CancellationToken);
            if (await ConsumeOnceAsync(context, messageId, consumer))
                await transaction.CommitAsync(context.CancellationToken);
        });
    }

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

    /// <summary>Applies the effect to <see cref="Db"/> without saving: the base class commits it with the inbox entry.</summary>
    protected abstract Task Handle(ConsumeContext<TMessage> context);

    /// <summary>The one commit of effect, messages and inbox entry; a consumer with its own commit discipline overrides it.</summary>
    protected virtual Task CommitAsync(CancellationToken cancellationToken) => Db.SaveChangesAsync(cancellationToken);
}

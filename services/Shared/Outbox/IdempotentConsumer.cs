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

        if (await Db.InboxEntries.AnyAsync(e => e.MessageId == messageId && e.Consumer == consumer, context.CancellationToken))
            return;

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
    }

    /// <summary>Applies the effect to <see cref="Db"/> without saving: the base class commits it with the inbox entry.</summary>
    protected abstract Task Handle(ConsumeContext<TMessage> context);

    /// <summary>The one commit of effect, messages and inbox entry; a consumer with its own commit discipline overrides it.</summary>
    protected virtual Task CommitAsync(CancellationToken cancellationToken) => Db.SaveChangesAsync(cancellationToken);
}

using System.Collections.Concurrent;
using MassTransit;

namespace Coordination.Testing;

/// <summary>
/// Counts every delivery of <typeparamref name="T"/> to a consumer, duplicates included (the test
/// harness's own lists are keyed by message id and fold duplicates together).
/// </summary>
public sealed class ConsumeCounter<T> : IConsumeMessageObserver<T>
    where T : class
{
    private int _consumed;
    public ConcurrentQueue<Exception> Faults { get; } = new();
    public int Consumed => Volatile.Read(ref _consumed);
    public ConcurrentQueue<Guid> ConsumedIds { get; } = new();

    public int ConsumedWithId(Guid messageId) => ConsumedIds.Count(id => id == messageId);

    public Task PreConsume(ConsumeContext<T> context) => Task.CompletedTask;

    public Task PostConsume(ConsumeContext<T> context)
    {
        if (context.MessageId is { } id)
            ConsumedIds.Enqueue(id);
        Interlocked.Increment(ref _consumed);
        return Task.CompletedTask;
    }

    public Task ConsumeFault(ConsumeContext<T> context, Exception exception)
    {
        Faults.Enqueue(exception);
        return Task.CompletedTask;
    }

    public static ConsumeCounter<T> On(IBus bus)
    {
        var counter = new ConsumeCounter<T>();
        bus.ConnectConsumeMessageObserver(counter);
        return counter;
    }
}

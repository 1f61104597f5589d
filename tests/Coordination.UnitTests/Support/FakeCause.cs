using System.Reflection;
using MassTransit;

namespace Coordination.UnitTests.Support;

/// <summary>
/// The consumed message a handler is given as the cause of what it stages: its ids, and nothing else.
/// A handler that reaches for more of the context (publishing through it, reading headers) is not a
/// handler of the unit of work any longer, and fails here on a null.
/// </summary>
public class FakeCause : DispatchProxy
{
    public Guid MessageId { get; private set; }
    public Guid ConversationId { get; private set; }
    public Guid CorrelationId { get; private set; }

    public static ConsumeContext New()
    {
        var proxy = Create<ConsumeContext, FakeCause>();
        var cause = (FakeCause)(object)proxy;
        cause.MessageId = NewId.NextGuid();
        cause.ConversationId = NewId.NextGuid();
        cause.CorrelationId = NewId.NextGuid();
        return proxy;
    }

    public static FakeCause Of(ConsumeContext context) => (FakeCause)(object)context;

    protected override object? Invoke(MethodInfo? method, object?[]? args) =>
        method!.Name switch
        {
            "get_MessageId" => (Guid?)MessageId,
            "get_ConversationId" => (Guid?)ConversationId,
            "get_CorrelationId" => (Guid?)CorrelationId,
            "get_CancellationToken" => CancellationToken.None,
            _ => method.ReturnType.IsValueType && method.ReturnType != typeof(void) ? Activator.CreateInstance(method.ReturnType) : null,
        };
}

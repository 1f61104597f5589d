namespace Coordination.ServiceDefaults.Messaging;

/// <summary>
/// The message itself is wrong: retrying cannot help, so it goes straight to <c>&lt;queue&gt;_error</c>,
/// where the fault headers carry <see cref="ReasonCode"/>. The text must name rules and fields,
/// never the values received: it is readable by whoever reads the error queue.
/// </summary>
public sealed class MessageRejectedException(string reasonCode, string reason) : Exception($"{reasonCode}: {reason}")
{
    public string ReasonCode { get; } = reasonCode;
    public string Reason { get; } = reason;
}

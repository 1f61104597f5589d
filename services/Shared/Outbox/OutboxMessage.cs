namespace Coordination.ServiceDefaults.Outbox;

/// <summary>
/// A message caused by a state change, stored in the same transaction as the change and published
/// later by the <see cref="OutboxRelay{TContext}"/>. Its <see cref="MessageId"/> is fixed here, so a
/// relay that crashes after publishing but before marking the row re-sends the same id and the
/// receiver's inbox drops the copy.
/// </summary>
public sealed class OutboxMessage
{
    public long Sequence { get; set; }
    public Guid MessageId { get; set; }
    public required string MessageType { get; set; }
    public required string Body { get; set; }
    public Guid? ConversationId { get; set; }
    public Guid? CorrelationId { get; set; }

    /// <summary>W3C traceparent of the activity that caused the message: the story stays one trace.</summary>
    public string? TraceParent { get; set; }
    public DateTimeOffset EnqueuedAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }
    public int Attempts { get; set; }

    /// <summary>The relay pass that claimed the row to publish it; no other relay takes it before <see cref="ClaimedUntil"/>.</summary>
    public Guid? ClaimToken { get; set; }
    public DateTimeOffset? ClaimedUntil { get; set; }

    /// <summary>Exception type only: an exception message could carry a value.</summary>
    public string? LastError { get; set; }
}

/// <summary>One message handled by one consumer; its presence means the effect is already committed.</summary>
public sealed class InboxEntry
{
    public Guid MessageId { get; set; }
    public required string Consumer { get; set; }
    public DateTimeOffset ProcessedAt { get; set; }
}

namespace Coordination.Gateway.Domain;

/// <summary>
/// What the gateway did with one agency message, by (agency, message id): the same message sent
/// again gets the same answer and is not forwarded twice. Rejected payloads are not kept: the
/// sender has its copy, and a refused flow (F1) is not one the platform may hold.
/// </summary>
public sealed class IngressRecord
{
    public const int TypeMaxLength = 100;

    public required string Agency { get; init; }
    public Guid MessageId { get; init; }
    public required string Type { get; init; }
    public DateTimeOffset ReceivedAt { get; init; }
    public bool Accepted { get; init; }
    public required string ReasonCode { get; init; }
    public Guid DecisionId { get; init; }
}

namespace Coordination.Gateway.Egress;

/// <summary>
/// A payload released to an agency, sealed for it, waiting in its mailbox: committed with the
/// decision, then pushed to <c>agency.&lt;id&gt;.inbox</c> on RabbitMQ, and readable by the agency
/// over HTTP either way.
/// </summary>
public sealed class AgencyDelivery
{
    public Guid Id { get; init; }
    public required string Agency { get; init; }
    public required string Type { get; init; }
    /// <summary>JSON: release and decision ids, purpose, categories, person reference, and the sealed payload.</summary>
    public required string Body { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? PushedAt { get; set; }
}

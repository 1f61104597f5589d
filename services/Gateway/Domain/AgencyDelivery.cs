namespace Coordination.Gateway.Domain;

/// <summary>
/// A payload released to an agency, sealed for it, waiting in its mailbox: committed with the
/// decision, then pushed to <c>agency.&lt;id&gt;.inbox</c> on RabbitMQ, and readable by the agency
/// over HTTP either way.
/// </summary>
public sealed class AgencyDelivery
{
    public Guid Id { get; init; }
    public required string Agency { get; init; }

    /// <summary>What it is; <c>held:&lt;type&gt;</c> while the agency has no registered key (<see cref="HeldDeliveries"/>).</summary>
    public required string Type { get; set; }

    /// <summary>JSON: release and decision ids, purpose, categories, person reference, and the sealed payload.</summary>
    public required string Body { get; set; }

    /// <summary>
    /// When it entered the mailbox (a held delivery: when it was released to the agency), which <c>GET /egress/inbox?since=</c> pages on.
    /// </summary>
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? PushedAt { get; set; }
}

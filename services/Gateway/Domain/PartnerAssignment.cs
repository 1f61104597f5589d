using Coordination.Contracts.Values;

namespace Coordination.Gateway.Domain;

/// <summary>
/// A partner assigned to a person's supervision case, as Supervision published it: the gateway's
/// own copy, so that a partner's control or incident is refused at the door, with an audit entry,
/// when it is about a case the partner does not follow.
/// </summary>
public sealed class PartnerAssignment
{
    public Guid CaseId { get; init; }
    public PersonRef Person { get; init; }
    public required string Partner { get; init; }
    public DateTimeOffset AssignedAt { get; set; }

    /// <summary>
    /// Set when the partner was taken off the case: kept, so that its later messages are refused as such (final), not as "not yet known".
    /// </summary>
    public DateTimeOffset? UnassignedAt { get; set; }
}

using Coordination.Contracts.Supervision;
using Coordination.Contracts.Values;

namespace Coordination.Supervision.Domain;

/// <summary>
/// A partner registered in a territory (penitentiary administration, State service, local
/// authority, association, other public or private person): only registered partners can be
/// assigned to a case, and their id is the account they send and receive under.
/// </summary>
public sealed class Partner
{
    public required string Id { get; init; }
    public TerritoryCode Territory { get; init; }
    public PartnerRole Role { get; init; }
    public required string Name { get; init; }
    public DateTimeOffset RegisteredAt { get; init; }
    public required string RegisteredBy { get; init; }
}

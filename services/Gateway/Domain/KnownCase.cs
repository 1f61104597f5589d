using Coordination.Contracts.Values;

namespace Coordination.Gateway.Domain;

/// <summary>
/// A supervision case as Supervision's facts told the gateway (no personal data): open while
/// <see cref="EndedAt"/> is empty. The door refuses a designation of a person whose case is open.
/// An ended case keeps its row until its purge, so that an opening heard after the end (each fact
/// has its own queue) does not reopen it.
/// </summary>
public sealed class KnownCase
{
    public Guid CaseId { get; init; }
    public PersonRef Person { get; init; }
    public TerritoryCode Territory { get; init; }

    /// <summary>Empty only when the end was heard before the opening.</summary>
    public string? SentenceEnforcementJurisdiction { get; set; }
    public DateTimeOffset? OpenedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }

    /// <summary>
    /// The restriction's reason (kebab-case word) once Supervision said the case is restricted: every release about it needs a rule naming
    /// it.
    /// </summary>
    public string? Restriction { get; set; }
}

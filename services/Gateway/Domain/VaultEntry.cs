using Coordination.Contracts.Supervision;
using Coordination.Contracts.Values;

namespace Coordination.Gateway.Domain;

public sealed record PersonIdentity(string LastName, string FirstNames, DateOnly BirthDate, string? BirthPlace);

public sealed record PersonContact(string? Address, string? Phone);

/// <summary>Everything the judicial authority said about a designated person: kept only in the vault, sealed.</summary>
public sealed record DesignationDetails(
    PersonIdentity Identity,
    PersonContact? Contact,
    string SentenceEnforcementJurisdiction,
    DateOnly ReleaseDate,
    DateOnly MeasureEndsOn,
    IReadOnlyList<DesignationGround> Grounds,
    string? AuthorityReference = null
);

/// <summary>
/// One designated person: a random <see cref="PersonRef"/>, a keyed digest of the identity (so that a
/// second designation of the same person finds the same reference without anyone reading a name),
/// and the designation details sealed for the vault's own key.
/// </summary>
public sealed class VaultEntry
{
    public PersonRef Person { get; init; }
    public TerritoryCode Territory { get; init; }
    public required byte[] IdentityDigest { get; init; }
    public Guid SealId { get; set; }
    public required string SealedDetails { get; set; }
    public required string DesignatedBy { get; set; }
    public DateTimeOffset DesignatedAt { get; set; }

    /// <summary>
    /// A keyed digest of the designating authority and its own reference for the designation, so that
    /// its withdrawal may name that reference; the reference itself stays sealed in the details.
    /// </summary>
    public byte[]? AuthorityReferenceDigest { get; set; }

    /// <summary>
    /// The last designation was forwarded and Supervision has not yet said it opened the case
    /// (<c>SupervisionOpened</c>): until then the person counts as under supervision.
    /// </summary>
    public bool AwaitingCase { get; set; }
}

namespace Coordination.Contracts;

/// <summary>
/// Reason codes a sender can act on. Stable strings: agency systems match on them.
/// </summary>
public static class ReasonCodes
{
    public const string UnknownTerritory = "unknown-territory";
    public const string MissingField = "missing-field";
    public const string InvalidField = "invalid-field";
    public const string DateInFuture = "date-in-future";
    public const string MalformedMessage = "malformed-message";
    public const string ForbiddenInboundFlow = "forbidden-inbound-flow";

    // The gateway's door (docs/agency-integration.md, "Refusals").
    public const string TooLarge = "too-large";
    public const string InvalidEnvelope = "invalid-envelope";
    public const string TypeMismatch = "type-mismatch";
    public const string UnknownType = "unknown-type";
    public const string TerritoryNotAllowed = "territory-not-allowed";
    public const string RoleNotAllowed = "role-not-allowed";
    public const string InvalidPayload = "invalid-payload";
    public const string PersonNotDesignated = "person-not-designated";
    public const string NotAssignedToCase = "not-assigned-to-case";

    /// <summary>The partner was taken off the case: final, unlike <see cref="NotAssignedToCase"/>.</summary>
    public const string UnassignedFromCase = "unassigned-from-case";

    /// <summary>No person designated by the sender under that <c>authorityReference</c>.</summary>
    public const string UnknownAuthorityReference = "unknown-authority-reference";
    public const string UnknownJurisdiction = "unknown-jurisdiction";
    public const string UnidentifiedSource = "unidentified-source";
    public const string AgencyMismatch = "agency-mismatch";

    /// <summary>
    /// A designation of a person whose case is open (or whose last designation is not yet answered): refused at the door and by
    /// Supervision.
    /// </summary>
    public const string DesignationConflict = "designation-conflict";
}

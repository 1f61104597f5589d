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
}

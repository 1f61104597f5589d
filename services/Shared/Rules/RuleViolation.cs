using Coordination.Contracts;

namespace Coordination.ServiceDefaults.Rules;

/// <summary>What kind of rule a request breaks: it decides the answer, never the wording.</summary>
public enum ViolationKind
{
    /// <summary>A value is wrong (HTTP 400 with the field; over AMQP straight to the error queue).</summary>
    InvalidValue = 1,

    /// <summary>The value is fine but the record's state forbids it now (HTTP 409; over AMQP the same refusal).</summary>
    StateConflict,
}

/// <summary>
/// The one way a command or an event breaks a rule of the platform, in <c>Application/</c> or
/// <c>Domain/</c>. It is translated once for HTTP (<see cref="RuleViolationProblems"/>: problem details
/// carrying <c>reasonCode</c> and the field) and once for AMQP (a bad input: no retry, the message goes
/// to its error queue with the reason code in the fault headers). The message names rules and fields,
/// never a value received: it is readable by whoever reads the error queue or the answer.
/// </summary>
public sealed class RuleViolation(string reasonCode, string field, string message, ViolationKind kind = ViolationKind.InvalidValue)
    : Exception($"{reasonCode}: {message}")
{
    public string ReasonCode { get; } = reasonCode;

    /// <summary>The field of the command at fault, in the command's JSON casing; <c>""</c> when it is the whole message.</summary>
    public string Field { get; } = field;

    /// <summary>The sentence told to the sender (no value of theirs in it).</summary>
    public string Reason { get; } = message;

    public ViolationKind Kind { get; } = kind;

    public static RuleViolation Conflict(string reasonCode, string message, string field = "") =>
        new(reasonCode, field, message, ViolationKind.StateConflict);

    /// <summary>The message as a whole cannot be taken (no id, unreadable): retrying cannot help.</summary>
    public static RuleViolation Malformed(string message) => new(ReasonCodes.MalformedMessage, "", message);
}

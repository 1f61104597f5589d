using System.Text.Json.Serialization;
using Coordination.Contracts.Values;

namespace Coordination.CourtReporting.Domain;

[JsonConverter(typeof(KebabCaseEnumConverter<ReportTrigger>))]
public enum ReportTrigger
{
    Periodic = 1,
    SeriousIncident,
    OperatorRequest,
}

/// <summary>
/// Counts only. The support actions (3°'s follow-up) are counted by what happened to them in the period, whatever their kind.
/// </summary>
public sealed record ReportFigures(
    int OpenCases,
    int ControlsPlanned,
    int ControlsDone,
    int ControlsMissed,
    int Incidents,
    int SeriousIncidents,
    int SupportActionsPlanned = 0,
    int SupportActionsStarted = 0,
    int SupportActionsCompleted = 0,
    int SupportActionsAbandoned = 0
);

public sealed record ReportedIncident(string Kind, string Severity, DateOnly On);

/// <summary>One person's line in a report, under the reference; the gateway re-attaches the identity for the JAP and SPIP only.</summary>
public sealed record ReportLine(
    string Person,
    bool Open,
    IReadOnlyList<string> Partners,
    int ControlsPlanned,
    int ControlsDone,
    int ControlsMissed,
    IReadOnlyList<ReportedIncident> Incidents
);

/// <summary>
/// A report to one jurisdiction's JAP and SPIP (4°): numbered in that jurisdiction's sequence,
/// naming its period and the facts it covers. Kept as issued; nothing received changes it.
/// </summary>
public sealed class CourtReport
{
    public Guid Id { get; init; }
    public required string Jurisdiction { get; init; }
    public int Number { get; init; }
    public DateOnly PeriodStart { get; init; }
    public DateOnly PeriodEnd { get; init; }
    public ReportTrigger Trigger { get; init; }
    public DateTimeOffset IssuedAt { get; init; }
    public required ReportFigures Figures { get; init; }
    public List<ReportLine> Lines { get; set; } = [];

    /// <summary>The facts this report counts, by id and kind: the proof that the next one does not count them again.</summary>
    public List<string> CoveredFacts { get; init; } = [];

    /// <summary>What the gateway answered for each recipient (ids and reason codes only).</summary>
    public List<RecipientOutcome> Outcomes { get; set; } = [];

    /// <summary>
    /// Set when the gateway refused the report to a recipient: its facts were then given back to the
    /// next report, so that the JAP and SPIP are not left without them. <see cref="CoveredFacts"/> keeps what it tried to count.
    /// </summary>
    public DateTimeOffset? RefusedAt { get; set; }
    public string? RefusalReason { get; set; }

    public ReportStatus Status =>
        RefusedAt is not null ? ReportStatus.Refused
        : Outcomes.Any(o => o.Outcome == RecipientOutcome.Held) ? ReportStatus.Held
        : Outcomes.Count > 0 && Outcomes.All(o => o.Outcome == RecipientOutcome.Released) ? ReportStatus.Released
        : ReportStatus.Issued;

    /// <summary>
    /// The gateway's answer for one recipient. A refusal marks the report refused and returns true
    /// the first time: the caller then gives its facts back. <c>no-recipient-key</c> is no refusal:
    /// the gateway holds the report and delivers it once the recipient registers a key.
    /// </summary>
    public bool Answered(string recipient, string outcome, string? reasonCode, DateTimeOffset now)
    {
        Outcomes = [.. Outcomes.Where(o => o.Recipient != recipient), new RecipientOutcome(recipient, outcome, reasonCode, now)];
        if (outcome != RecipientOutcome.Denied || RefusedAt is not null)
            return false;
        RefusedAt = now;
        RefusalReason = reasonCode;
        return true;
    }
}

[JsonConverter(typeof(KebabCaseEnumConverter<ReportStatus>))]
public enum ReportStatus
{
    Issued = 1,
    Released,
    Held,
    Refused,
}

public sealed record RecipientOutcome(string Recipient, string Outcome, string? ReasonCode, DateTimeOffset At)
{
    public const string Released = "released";
    public const string Denied = "denied";
    public const string Held = "held";
}

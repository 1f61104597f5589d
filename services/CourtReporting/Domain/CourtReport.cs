using System.Text.Json.Serialization;
using Coordination.Contracts.Values;

namespace Coordination.CourtReporting.Domain;

[JsonConverter(typeof(KebabCaseEnumConverter<ReportTrigger>))]
public enum ReportTrigger { Periodic = 1, SeriousIncident, OperatorRequest }

public sealed record ReportFigures(int OpenCases, int ControlsPlanned, int ControlsDone, int ControlsMissed, int Incidents, int SeriousIncidents);

public sealed record ReportedIncident(string Kind, string Severity, DateOnly On);

/// <summary>One person's line in a report, under the reference; the gateway re-attaches the identity for the JAP and SPIP only.</summary>
public sealed record ReportLine(string Person, bool Open, IReadOnlyList<string> Partners, int ControlsPlanned, int ControlsDone, int ControlsMissed,
    IReadOnlyList<ReportedIncident> Incidents);

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
}

using Coordination.Contracts.Classification;

namespace Coordination.Contracts.CourtReporting;

/// <summary>4°: a periodic report on community supervision in one sentence-enforcement jurisdiction.</summary>
public sealed record CourtReportIssued
{
    [Public]
    public required Guid ReportId { get; init; }

    [Internal]
    public required string SentenceEnforcementJurisdiction { get; init; }

    [Public]
    public required int Number { get; init; }

    [Public]
    public required DateOnly PeriodStart { get; init; }

    [Public]
    public required DateOnly PeriodEnd { get; init; }

    /// <summary>periodic, serious-incident or operator-request.</summary>
    [Public]
    public required string Trigger { get; init; }

    [Internal]
    public required int OpenCases { get; init; }

    [Internal]
    public required int ControlsPlanned { get; init; }

    [Internal]
    public required int ControlsDone { get; init; }

    [Internal]
    public required int ControlsMissed { get; init; }

    [Internal]
    public required int Incidents { get; init; }

    [Public]
    public required DateTimeOffset IssuedAt { get; init; }
}

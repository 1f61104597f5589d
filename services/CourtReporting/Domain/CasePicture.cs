using System.Text.Json.Serialization;
using Coordination.Contracts.Supervision;
using Coordination.Contracts.Values;

namespace Coordination.CourtReporting.Domain;

/// <summary>What the JAP and SPIP are told about one followed person, built from Supervision's facts only.</summary>
public sealed class CasePicture
{
    public Guid CaseId { get; init; }
    public PersonRef Person { get; init; }
    public TerritoryCode Territory { get; set; }

    /// <summary>Empty until <c>SupervisionOpened</c> arrives: facts may come first, on their own queues.</summary>
    public string Jurisdiction { get; set; } = "";
    public DateOnly ReleaseDate { get; set; }
    public DateOnly MeasureEndsOn { get; set; }
    public bool Open { get; set; } = true;
    public SupervisionEndReason? EndReason { get; set; }
    public List<PartnerInPlace> Partners { get; set; } = [];

    public bool AwaitsOpening => Jurisdiction.Length == 0;

    /// <summary>
    /// Bumped by the opening and by every fact written while the opening is awaited: of two such
    /// writers at once, the second fails and is retried, so no fact is left without its jurisdiction.
    /// </summary>
    public int Version { get; private set; }

    public void Touch() => Version++;

    /// <summary>A fact about a case whose opening has not arrived yet: kept, reported once the jurisdiction is known.</summary>
    public static CasePicture AwaitingOpening(Guid caseId, PersonRef person) =>
        new()
        {
            CaseId = caseId,
            Person = person,
            Territory = person.Territory,
        };

    public void Opened(SupervisionOpened opened)
    {
        Touch();
        Territory = opened.Territory;
        Jurisdiction = opened.SentenceEnforcementJurisdiction;
        ReleaseDate = opened.ReleaseDate;
        MeasureEndsOn = opened.MeasureEndsOn;
    }
}

public sealed record PartnerInPlace(string Partner, PartnerRole Role);

[JsonConverter(typeof(KebabCaseEnumConverter<FactKind>))]
public enum FactKind
{
    ControlPlanned = 1,
    ControlDone,
    ControlMissed,
    Incident,
    CaseEnded,
    SupportActionPlanned,
    SupportActionStarted,
    SupportActionCompleted,
    SupportActionAbandoned,
}

/// <summary>
/// One fact a report counts: a control planned, done or missed, an incident. Each is covered by
/// exactly one report (<see cref="ReportId"/>), so two reports never count it twice.
/// </summary>
public sealed class ReportableFact
{
    public Guid Id { get; init; }
    public FactKind Kind { get; init; }
    public Guid CaseId { get; init; }

    /// <summary>The case's jurisdiction; empty while the case's opening has not arrived.</summary>
    public required string Jurisdiction { get; set; }
    public DateOnly On { get; init; }
    public string? Detail { get; init; }
    public IncidentSeverity? Severity { get; init; }
    public Guid? ReportId { get; set; }
}

using System.Text.Json.Serialization;
using Coordination.Contracts.Supervision;
using Coordination.Contracts.Values;

namespace Coordination.Supervision.Domain;

[JsonConverter(typeof(KebabCaseEnumConverter<CaseStatus>))]
public enum CaseStatus { Open = 1, Ended }

/// <summary>
/// The community follow-up of one person designated by the judicial authority (3°), known only by
/// its <see cref="PersonRef"/>: no identity ever reaches this service.
/// </summary>
public sealed class SupervisionCase
{
    public Guid Id { get; private init; }
    public PersonRef Person { get; private init; }
    public TerritoryCode Territory { get; private init; }
    public string SentenceEnforcementJurisdiction { get; private init; } = "";
    public DateOnly ReleaseDate { get; private init; }
    public DateOnly MeasureEndsOn { get; private init; }
    public List<DesignationGround> Grounds { get; private init; } = [];
    public CaseStatus Status { get; private set; }
    public DateTimeOffset OpenedAt { get; private init; }
    public DateTimeOffset? EndedAt { get; private set; }
    public SupervisionEndReason? EndReason { get; private set; }
    public List<ConductReport> ConductReports { get; private init; } = [];

    private SupervisionCase() { }

    public static SupervisionCase Open(Guid id, DesignatePerson designation, IReadOnlyList<DesignationGround> grounds, DateTimeOffset now) => new()
    {
        Id = id,
        Person = designation.Person,
        Territory = designation.Territory,
        SentenceEnforcementJurisdiction = designation.SentenceEnforcementJurisdiction,
        ReleaseDate = designation.ReleaseDate,
        MeasureEndsOn = designation.MeasureEndsOn,
        Grounds = grounds.Distinct().ToList(),
        Status = CaseStatus.Open,
        OpenedAt = now,
    };

    public SupervisionEnded End(SupervisionEndReason reason, DateTimeOffset now)
    {
        Status = CaseStatus.Ended;
        EndedAt = now;
        EndReason = reason;
        return new SupervisionEnded { CaseId = Id, Person = Person, Reason = reason, EndedAt = now };
    }

    /// <summary>Kept as it came, sealed for this service: confidential at rest as on the wire.</summary>
    public void Receive(ConductReport report) => ConductReports.Add(report);

    public SupervisionOpened Opened() => new()
    {
        CaseId = Id,
        Person = Person,
        Territory = Territory,
        SentenceEnforcementJurisdiction = SentenceEnforcementJurisdiction,
        ReleaseDate = ReleaseDate,
        MeasureEndsOn = MeasureEndsOn,
    };
}

/// <summary>A law 2017-258 report on conduct in detention, received through the gateway under an opt-in rule.</summary>
public sealed class ConductReport
{
    public Guid Id { get; init; }
    public Guid MessageId { get; init; }
    public DateTimeOffset ReceivedAt { get; init; }
    public required string SealedReport { get; init; }
}

using System.Text.Json.Serialization;
using Coordination.Contracts.Supervision;
using Coordination.Contracts.Values;
using Coordination.ServiceDefaults.Territories;

namespace Coordination.Supervision.Domain;

[JsonConverter(typeof(KebabCaseEnumConverter<CaseStatus>))]
public enum CaseStatus { Open = 1, Ended }

/// <summary>A rule of the follow-up the request breaks, with the reason code its sender is told.</summary>
public sealed class CaseRuleViolation(string reasonCode, string message) : Exception(message)
{
    public string ReasonCode { get; } = reasonCode;
}

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
    /// <summary>The durable retention deadline: when the ended case's personal data is purged (F4).</summary>
    public DateTimeOffset? PurgeDueAt { get; private set; }
    public List<ConductReport> ConductReports { get; private init; } = [];
    public List<CaseAssignment> Assignments { get; private init; } = [];
    public List<Control> Controls { get; private init; } = [];
    public List<Incident> Incidents { get; private init; } = [];

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

    public SupervisionEnded End(SupervisionEndReason reason, DateTimeOffset now, TimeSpan retention)
    {
        EnsureOpen();
        Status = CaseStatus.Ended;
        EndedAt = now;
        EndReason = reason;
        PurgeDueAt = now + retention;
        return new SupervisionEnded { CaseId = Id, Person = Person, Reason = reason, EndedAt = now };
    }

    /// <summary>A partner registered in the case's territory takes a role in the follow-up.</summary>
    public PartnerAssigned Assign(Partner partner, PartnerRole role, DateTimeOffset now)
    {
        EnsureOpen();
        if (partner.Territory != Territory)
            throw new CaseRuleViolation("partner-of-another-territory", "Only a partner registered in the case's territory may be assigned.");
        if (Assignments.Any(a => a.Partner == partner.Id))
            throw new CaseRuleViolation("already-assigned", "This partner is already assigned to the case.");
        Assignments.Add(new CaseAssignment { Partner = partner.Id, Role = role, AssignedAt = now });
        return new PartnerAssigned { CaseId = Id, Person = Person, Partner = PartnerId.Parse(partner.Id), Role = role };
    }

    public bool IsAssigned(PartnerId partner) => Assignments.Any(a => a.Partner == partner.Value);

    public ControlScheduled ScheduleControl(Guid controlId, PartnerId partner, DateOnly scheduledFor)
    {
        EnsureOpen();
        EnsureAssigned(partner);
        if (Controls.Any(c => c.Id == controlId))
            throw new CaseRuleViolation("control-already-exists", "A control with this id is already in the plan.");
        if (scheduledFor < ReleaseDate || scheduledFor > MeasureEndsOn)
            throw new CaseRuleViolation("outside-measure", "A control is scheduled between the release date and the end of the measure.");
        Controls.Add(new Control { Id = controlId, Partner = partner.Value, ScheduledFor = scheduledFor });
        return new ControlScheduled { CaseId = Id, ControlId = controlId, Person = Person, Partner = partner, ScheduledFor = scheduledFor };
    }

    /// <summary>
    /// The outcome of a planned control, or of an unplanned one under a new id, recorded by an
    /// assigned partner; a control's outcome is recorded once.
    /// </summary>
    public ControlRecorded RecordControl(RecordControl record, DateTimeOffset now)
    {
        EnsureOpen();
        EnsureAssigned(record.Partner);
        EnsureNotAfter(record.ControlledOn, now, "controlledOn");
        var control = Controls.SingleOrDefault(c => c.Id == record.ControlId);
        if (control is null)
        {
            control = new Control { Id = record.ControlId, Partner = record.Partner.Value };
            Controls.Add(control);
        }
        else if (control.Outcome is not (null or ControlOutcome.Postponed))
            throw new CaseRuleViolation("control-already-recorded", "This control's outcome is already recorded.");
        control.Outcome = record.Outcome;
        control.ControlledOn = record.ControlledOn;
        control.RecordedBy = record.Partner.Value;
        control.RecordedAt = now;
        return new ControlRecorded
        {
            CaseId = Id, ControlId = control.Id, Person = Person, Partner = record.Partner,
            ControlledOn = record.ControlledOn, Outcome = record.Outcome,
        };
    }

    public IncidentReported ReportIncident(ReportIncident report, DateTimeOffset now)
    {
        EnsureOpen();
        EnsureAssigned(report.Partner);
        EnsureNotAfter(TerritoryCalendar.Today(Territory, report.OccurredAt), now, "occurredAt");
        if (Incidents.Any(i => i.Id == report.IncidentId))
            throw new CaseRuleViolation("incident-already-reported", "An incident with this id is already reported.");
        Incidents.Add(new Incident
        {
            Id = report.IncidentId, Partner = report.Partner.Value, Kind = report.Kind, Severity = report.Severity,
            OccurredAt = report.OccurredAt, ReportedAt = now,
        });
        return new IncidentReported
        {
            CaseId = Id, IncidentId = report.IncidentId, Person = Person, Kind = report.Kind, Severity = report.Severity, OccurredAt = report.OccurredAt,
        };
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

    /// <summary>What a partner records has happened: a date after today in the territory is a mistake, and would date a report in the future.</summary>
    private void EnsureNotAfter(DateOnly day, DateTimeOffset now, string field)
    {
        if (day > TerritoryCalendar.Today(Territory, now))
            throw new CaseRuleViolation("date-in-future", $"{field}: what is recorded has happened; the date is after today.");
    }

    /// <summary>The measure is over and nobody ended the case: it ends by itself, so that retention runs (F4).</summary>
    public SupervisionEnded? EndIfMeasureOver(DateTimeOffset now, TimeSpan retention) =>
        Status == CaseStatus.Open && TerritoryCalendar.Today(Territory, now) > MeasureEndsOn ? End(SupervisionEndReason.EndOfMeasure, now, retention) : null;

    private void EnsureOpen()
    {
        if (Status != CaseStatus.Open) throw new CaseRuleViolation("case-ended", "The case has ended.");
    }

    private void EnsureAssigned(PartnerId partner)
    {
        if (!IsAssigned(partner)) throw new CaseRuleViolation("not-assigned-to-case", "This partner is not assigned to the case.");
    }
}

public sealed class CaseAssignment
{
    public required string Partner { get; init; }
    public PartnerRole Role { get; init; }
    public DateTimeOffset AssignedAt { get; init; }
}

/// <summary>A control of the plan: scheduled by an operator, or recorded unplanned by a partner.</summary>
public sealed class Control
{
    public Guid Id { get; init; }
    public required string Partner { get; init; }
    public DateOnly? ScheduledFor { get; init; }
    public DateOnly? ControlledOn { get; set; }
    public ControlOutcome? Outcome { get; set; }
    public string? RecordedBy { get; set; }
    public DateTimeOffset? RecordedAt { get; set; }
}

public sealed class Incident
{
    public Guid Id { get; init; }
    public required string Partner { get; init; }
    public IncidentKind Kind { get; init; }
    public IncidentSeverity Severity { get; init; }
    public DateTimeOffset OccurredAt { get; init; }
    public DateTimeOffset ReportedAt { get; init; }
}

/// <summary>A law 2017-258 report on conduct in detention, received through the gateway under an opt-in rule.</summary>
public sealed class ConductReport
{
    public Guid Id { get; init; }
    public Guid MessageId { get; init; }
    public DateTimeOffset ReceivedAt { get; init; }
    public required string SealedReport { get; init; }
}

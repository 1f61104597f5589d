using System.Text.Json.Serialization;
using Coordination.Contracts.Supervision;
using Coordination.Contracts.Values;
using Coordination.ServiceDefaults.Rules;
using Coordination.ServiceDefaults.Territories;

namespace Coordination.Supervision.Domain;

[JsonConverter(typeof(KebabCaseEnumConverter<CaseStatus>))]
public enum CaseStatus
{
    Open = 1,
    Ended,
}

/// <summary>
/// The community follow-up of one person designated by the judicial authority (3°), known only by
/// its <see cref="PersonRef"/>: no identity ever reaches this service.
/// </summary>
/// <remarks>
/// A request the case refuses is a <see cref="RuleViolation.Conflict"/> (409 over HTTP): it is well
/// formed, and this case's state (its status, dates, partners, plan) refuses it. Only a value wrong
/// whatever the case (a date in the future, a status a report cannot give) is an invalid value.
/// </remarks>
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
    public List<SupportAction> SupportActions { get; private init; } = [];

    /// <summary>The agency that designated the person, as the gateway proved it: its receipts are asked for it.</summary>
    public string? DesignatedBy { get; private init; }
    public CaseRestrictionReason? Restriction { get; private set; }

    /// <summary>The operators (token subjects) who alone see a restricted case; the one who restricted it among them.</summary>
    public List<string> RestrictedTo { get; private set; } = [];
    public DateTimeOffset? RestrictedAt { get; private set; }
    public string? RestrictedBy { get; private set; }

    private SupervisionCase() { }

    public static SupervisionCase Open(
        Guid id,
        DesignatePerson designation,
        IReadOnlyList<DesignationGround> grounds,
        DateTimeOffset now
    ) =>
        new()
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
            DesignatedBy = designation.DesignatedBy,
        };

    public SupervisionEnded End(SupervisionEndReason reason, DateTimeOffset now, TimeSpan retention)
    {
        EnsureOpen();
        Status = CaseStatus.Ended;
        EndedAt = now;
        EndReason = reason;
        PurgeDueAt = now + retention;
        return new SupervisionEnded
        {
            CaseId = Id,
            Person = Person,
            Reason = reason,
            EndedAt = now,
        };
    }

    /// <summary>A partner registered in the case's territory takes a role in the follow-up.</summary>
    public PartnerAssigned Assign(Partner partner, PartnerRole role, DateTimeOffset now)
    {
        EnsureOpen();
        if (partner.Territory != Territory)
            throw RuleViolation.Conflict(
                "partner-of-another-territory",
                "Only a partner registered in the case's territory may be assigned.",
                "partner"
            );
        var earlier = Assignments.SingleOrDefault(a => a.Partner == partner.Id);
        if (earlier is { UnassignedAt: null })
            throw RuleViolation.Conflict("already-assigned", "This partner is already assigned to the case.", "partner");
        if (earlier is not null)
        {
            // Taken off, then assigned again: the same line, current again.
            earlier.Role = role;
            earlier.AssignedAt = now;
            earlier.UnassignedAt = null;
            earlier.UnassignedBy = null;
        }
        else
            Assignments.Add(
                new CaseAssignment
                {
                    Partner = partner.Id,
                    Role = role,
                    AssignedAt = now,
                }
            );
        return new PartnerAssigned
        {
            CaseId = Id,
            Person = Person,
            Partner = PartnerId.Parse(partner.Id),
            Role = role,
            AssignedAt = now,
        };
    }

    /// <summary>
    /// The partner is taken off the case: it gets nothing more about it and may record nothing on it.
    /// What it recorded stays; its support actions still open are abandoned, so that none is left without a partner.
    /// </summary>
    public (PartnerUnassigned Unassigned, IReadOnlyList<SupportActionProgressed> Abandoned) Unassign(
        PartnerId partner,
        string by,
        DateTimeOffset now
    )
    {
        EnsureOpen();
        EnsureAssigned(partner);
        var assignment = Assignments.Single(a => a.Partner == partner.Value);
        assignment.UnassignedAt = now;
        assignment.UnassignedBy = by;
        var today = TerritoryCalendar.Today(Territory, now);
        var abandoned = SupportActions
            .Where(a => a.Partner == partner.Value && a.Status is SupportActionStatus.Planned or SupportActionStatus.InProgress)
            .Select(a => a.Progress(SupportActionStatus.Abandoned, today, now, Id, Person))
            .ToList();
        return (
            new PartnerUnassigned
            {
                CaseId = Id,
                Person = Person,
                Partner = partner,
                UnassignedAt = now,
            },
            abandoned
        );
    }

    /// <summary>The partners currently on the case (those taken off keep their line, for the record).</summary>
    public IEnumerable<CaseAssignment> CurrentAssignments => Assignments.Where(a => a.UnassignedAt is null);

    public bool IsAssigned(PartnerId partner) => Assignments.Any(a => a.Partner == partner.Value && a.UnassignedAt is null);

    /// <summary>
    /// Only the named operators see the case from now on (the one restricting it always among them).
    /// Once restricted, a case stays restricted: widening it again is a decision this service does not take alone.
    /// </summary>
    public CaseRestricted Restrict(CaseRestrictionReason reason, IReadOnlyCollection<string> operators, string by, DateTimeOffset now)
    {
        EnsureOpen();
        if (Restriction is not null)
            throw RuleViolation.Conflict("already-restricted", "The case is already restricted.");
        Restriction = reason;
        RestrictedTo = operators.Append(by).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        RestrictedAt = now;
        RestrictedBy = by;
        return new CaseRestricted
        {
            CaseId = Id,
            Person = Person,
            Reason = reason,
            RestrictedAt = now,
        };
    }

    /// <summary>
    /// Whether an operator (by token subject) may see the case: anyone of the territory, or only those named on a restricted case.
    /// </summary>
    public bool VisibleTo(string subject) => Restriction is null || RestrictedTo.Contains(subject, StringComparer.Ordinal);

    /// <summary>A support action of the follow-up, carried by one of the case's current partners.</summary>
    public SupportActionPlanned PlanSupportAction(
        Guid actionId,
        SupportActionKind kind,
        PartnerId partner,
        DateOnly plannedOn,
        DateTimeOffset now
    )
    {
        EnsureOpen();
        EnsureAssigned(partner);
        if (SupportActions.Any(a => a.Id == actionId))
            throw RuleViolation.Conflict(
                "support-action-already-exists",
                "A support action with this id is already on the case.",
                "actionId"
            );
        if (plannedOn < ReleaseDate.AddDays(-90) || plannedOn > MeasureEndsOn)
            throw RuleViolation.Conflict(
                "outside-measure",
                "A support action is planned around the release and before the end of the measure.",
                "plannedOn"
            );
        SupportActions.Add(
            new SupportAction
            {
                Id = actionId,
                Kind = kind,
                Partner = partner.Value,
                Status = SupportActionStatus.Planned,
                PlannedOn = plannedOn,
                UpdatedAt = now,
            }
        );
        return new SupportActionPlanned
        {
            CaseId = Id,
            ActionId = actionId,
            Person = Person,
            Partner = partner,
            Kind = kind,
            PlannedOn = plannedOn,
        };
    }

    /// <summary>The partner carrying an action reports how it goes; a completed or abandoned action is closed.</summary>
    public SupportActionProgressed ReportSupportProgress(ReportSupportProgress report, DateTimeOffset now)
    {
        EnsureOpen();
        EnsureAssigned(report.Partner);
        EnsureNotAfter(report.On, now, "on");
        var action =
            SupportActions.SingleOrDefault(a => a.Id == report.ActionId)
            ?? throw RuleViolation.Conflict("unknown-support-action", "No support action with this id on the case.", "actionId");
        if (action.Partner != report.Partner.Value)
            throw RuleViolation.Conflict("not-assigned-to-action", "This support action is carried by another partner.", "partner");
        if (action.Status is SupportActionStatus.Completed or SupportActionStatus.Abandoned)
            throw RuleViolation.Conflict("support-action-closed", "This support action is already closed.");
        if (report.Status == SupportActionStatus.Planned)
            throw new RuleViolation("invalid-status", "status", "A support action reported on is in progress, completed or abandoned.");
        return action.Progress(report.Status, report.On, now, Id, Person);
    }

    public ControlScheduled ScheduleControl(Guid controlId, PartnerId partner, DateOnly scheduledFor)
    {
        EnsureOpen();
        EnsureAssigned(partner);
        if (Controls.Any(c => c.Id == controlId))
            throw RuleViolation.Conflict("control-already-exists", "A control with this id is already in the plan.", "controlId");
        if (scheduledFor < ReleaseDate || scheduledFor > MeasureEndsOn)
            throw RuleViolation.Conflict(
                "outside-measure",
                "A control is scheduled between the release date and the end of the measure.",
                "scheduledFor"
            );
        Controls.Add(
            new Control
            {
                Id = controlId,
                Partner = partner.Value,
                ScheduledFor = scheduledFor,
            }
        );
        return new ControlScheduled
        {
            CaseId = Id,
            ControlId = controlId,
            Person = Person,
            Partner = partner,
            ScheduledFor = scheduledFor,
        };
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
            throw RuleViolation.Conflict("control-already-recorded", "This control's outcome is already recorded.", "controlId");
        control.Outcome = record.Outcome;
        control.ControlledOn = record.ControlledOn;
        control.RecordedBy = record.Partner.Value;
        control.RecordedAt = now;
        return new ControlRecorded
        {
            CaseId = Id,
            ControlId = control.Id,
            Person = Person,
            Partner = record.Partner,
            ControlledOn = record.ControlledOn,
            Outcome = record.Outcome,
        };
    }

    public IncidentReported ReportIncident(ReportIncident report, DateTimeOffset now)
    {
        EnsureOpen();
        EnsureAssigned(report.Partner);
        EnsureNotAfter(TerritoryCalendar.Today(Territory, report.OccurredAt), now, "occurredAt");
        if (Incidents.Any(i => i.Id == report.IncidentId))
            throw RuleViolation.Conflict("incident-already-reported", "An incident with this id is already reported.", "incidentId");
        Incidents.Add(
            new Incident
            {
                Id = report.IncidentId,
                Partner = report.Partner.Value,
                Kind = report.Kind,
                Severity = report.Severity,
                OccurredAt = report.OccurredAt,
                ReportedAt = now,
            }
        );
        return new IncidentReported
        {
            CaseId = Id,
            IncidentId = report.IncidentId,
            Person = Person,
            Kind = report.Kind,
            Severity = report.Severity,
            OccurredAt = report.OccurredAt,
        };
    }

    /// <summary>Kept as it came, sealed for this service: confidential at rest as on the wire.</summary>
    public void Receive(ConductReport report) => ConductReports.Add(report);

    public SupervisionOpened Opened() =>
        new()
        {
            CaseId = Id,
            Person = Person,
            Territory = Territory,
            SentenceEnforcementJurisdiction = SentenceEnforcementJurisdiction,
            ReleaseDate = ReleaseDate,
            MeasureEndsOn = MeasureEndsOn,
        };

    /// <summary>
    /// What a partner records has happened: a date after today in the territory is a mistake, and would date a report in the future.
    /// </summary>
    private void EnsureNotAfter(DateOnly day, DateTimeOffset now, string field)
    {
        if (day > TerritoryCalendar.Today(Territory, now))
            throw new RuleViolation("date-in-future", field, $"{field}: what is recorded has happened; the date is after today.");
    }

    /// <summary>The measure is over and nobody ended the case: it ends by itself, so that retention runs (F4).</summary>
    public SupervisionEnded? EndIfMeasureOver(DateTimeOffset now, TimeSpan retention) =>
        Status == CaseStatus.Open && TerritoryCalendar.Today(Territory, now) > MeasureEndsOn
            ? End(SupervisionEndReason.EndOfMeasure, now, retention)
            : null;

    private void EnsureOpen()
    {
        if (Status != CaseStatus.Open)
            throw RuleViolation.Conflict("case-ended", "The case has ended.");
    }

    private void EnsureAssigned(PartnerId partner)
    {
        if (!IsAssigned(partner))
            throw RuleViolation.Conflict("not-assigned-to-case", "This partner is not assigned to the case.", "partner");
    }
}

public sealed class CaseAssignment
{
    public required string Partner { get; init; }
    public PartnerRole Role { get; set; }
    public DateTimeOffset AssignedAt { get; set; }
    public DateTimeOffset? UnassignedAt { get; set; }
    public string? UnassignedBy { get; set; }
}

/// <summary>One support action of the follow-up ("suivi"): what it is, who carries it, how far it is.</summary>
public sealed class SupportAction
{
    public Guid Id { get; init; }
    public SupportActionKind Kind { get; init; }
    public required string Partner { get; init; }
    public SupportActionStatus Status { get; set; }
    public DateOnly PlannedOn { get; init; }
    public DateOnly? StartedOn { get; set; }
    public DateOnly? ClosedOn { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    internal SupportActionProgressed Progress(SupportActionStatus status, DateOnly on, DateTimeOffset now, Guid caseId, PersonRef person)
    {
        Status = status;
        if (status == SupportActionStatus.InProgress)
            StartedOn ??= on;
        if (status is SupportActionStatus.Completed or SupportActionStatus.Abandoned)
            ClosedOn = on;
        UpdatedAt = now;
        return new SupportActionProgressed
        {
            CaseId = caseId,
            ActionId = Id,
            Person = person,
            Kind = Kind,
            Status = status,
            On = on,
        };
    }
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

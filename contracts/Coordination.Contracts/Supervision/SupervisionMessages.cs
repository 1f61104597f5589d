using System.Text.Json.Serialization;
using Coordination.Contracts.Classification;
using Coordination.Contracts.Gateway;
using Coordination.Contracts.Values;

namespace Coordination.Contracts.Supervision;

/// <summary>Why the judicial authority designated the person (3°): which apply, never free text (F5).</summary>
[JsonConverter(typeof(KebabCaseEnumConverter<DesignationGround>))]
public enum DesignationGround
{
    Personality = 1,
    MaterialSituation,
    FamilySituation,
    SocialSituation,
    CircumstancesOfOffence,
}

[JsonConverter(typeof(KebabCaseEnumConverter<ControlOutcome>))]
public enum ControlOutcome
{
    Compliant = 1,
    PartiallyCompliant,
    NonCompliant,
    Missed,
    Postponed,
}

[JsonConverter(typeof(KebabCaseEnumConverter<IncidentKind>))]
public enum IncidentKind
{
    MissedAppointment = 1,
    BreachOfObligation,
    NewOffenceSuspected,
    Unreachable,
    ThreatOrViolence,
    Other,
}

[JsonConverter(typeof(KebabCaseEnumConverter<IncidentSeverity>))]
public enum IncidentSeverity
{
    Minor = 1,
    Significant,
    Serious,
}

[JsonConverter(typeof(KebabCaseEnumConverter<PartnerRole>))]
public enum PartnerRole
{
    PenitentiaryAdministration = 1,
    StateService,
    LocalAuthority,
    Association,
    OtherPublicOrPrivatePerson,
}

[JsonConverter(typeof(KebabCaseEnumConverter<SupervisionEndReason>))]
public enum SupervisionEndReason
{
    EndOfMeasure = 1,
    DesignationWithdrawn,
    TransferredToAnotherTerritory,
    Death,
}

/// <summary>The follow-up side of 3° ("suivi"): support toward what a return to ordinary life needs, from a closed list.</summary>
[JsonConverter(typeof(KebabCaseEnumConverter<SupportActionKind>))]
public enum SupportActionKind
{
    Housing = 1,
    Employment,
    Training,
    HealthCare,
    AddictionCare,
    Family,
    Debt,
    AdministrativeRights,
}

[JsonConverter(typeof(KebabCaseEnumConverter<SupportActionStatus>))]
public enum SupportActionStatus
{
    Planned = 1,
    InProgress,
    Completed,
    Abandoned,
}

/// <summary>Why a case is seen only by the operators named on it (comparable to HMPPS's limited-access offenders).</summary>
[JsonConverter(typeof(KebabCaseEnumConverter<CaseRestrictionReason>))]
public enum CaseRestrictionReason
{
    ProtectedWitness = 1,
    PublicProfile,
    KnownToStaff,
    VictimProtection,
    SecurityThreat,
}

/// <summary>
/// Sent by the gateway once it has pseudonymised a designation from the judicial authority (R5):
/// identity and grounds stay sealed for the supervision service.
/// </summary>
public sealed record DesignatePerson
{
    [Public]
    public required PersonRef Person { get; init; }

    [Public]
    public required TerritoryCode Territory { get; init; }

    [Internal]
    public required string SentenceEnforcementJurisdiction { get; init; }

    [Internal]
    public required DateOnly ReleaseDate { get; init; }

    [Internal]
    public required DateOnly MeasureEndsOn { get; init; }

    /// <summary>The <see cref="DesignationGround"/>s that apply, sealed for the recipient.</summary>
    [Confidential]
    public required SealedPayload Grounds { get; init; }

    /// <summary>
    /// The agency that designated, as the broker or the token proved it to the gateway: the receipts
    /// (<c>supervision.designation-accepted</c>, <c>supervision.case-ended</c>) are asked for it.
    /// Null from a gateway older than the receipts.
    /// </summary>
    [Internal]
    public string? DesignatedBy { get; init; }
}

public sealed record WithdrawDesignation
{
    [Public]
    public required PersonRef Person { get; init; }

    [Public]
    public required TerritoryCode Territory { get; init; }
}

/// <summary>A partner taken off a case: from now on it gets nothing about the case and its messages about it are refused.</summary>
public sealed record PartnerUnassigned
{
    [Public]
    public required Guid CaseId { get; init; }

    [Public]
    public required PersonRef Person { get; init; }

    [Internal]
    public required PartnerId Partner { get; init; }

    [Internal]
    public required DateTimeOffset UnassignedAt { get; init; }
}

/// <summary>
/// The case is restricted: only the operators named on it see it, and the gateway releases nothing
/// about it without a sharing rule that names <see cref="Reason"/>. Who is named stays in Supervision.
/// </summary>
public sealed record CaseRestricted
{
    [Public]
    public required Guid CaseId { get; init; }

    [Public]
    public required PersonRef Person { get; init; }

    [Internal]
    public required CaseRestrictionReason Reason { get; init; }

    [Internal]
    public required DateTimeOffset RestrictedAt { get; init; }
}

/// <summary>A support action of the case, assigned to one of its partners.</summary>
public sealed record SupportActionPlanned
{
    [Public]
    public required Guid CaseId { get; init; }

    [Public]
    public required Guid ActionId { get; init; }

    [Public]
    public required PersonRef Person { get; init; }

    [Internal]
    public required PartnerId Partner { get; init; }

    [Internal]
    public required SupportActionKind Kind { get; init; }

    [Internal]
    public required DateOnly PlannedOn { get; init; }
}

/// <summary>A support action's new status, as its partner reported it.</summary>
public sealed record SupportActionProgressed
{
    [Public]
    public required Guid CaseId { get; init; }

    [Public]
    public required Guid ActionId { get; init; }

    [Public]
    public required PersonRef Person { get; init; }

    [Internal]
    public required SupportActionKind Kind { get; init; }

    [Internal]
    public required SupportActionStatus Status { get; init; }

    [Internal]
    public required DateOnly On { get; init; }
}

/// <summary>Forwarded by the gateway from <c>supervision.report-support-progress</c>; the partner is the account it came under.</summary>
public sealed record ReportSupportProgress
{
    [Public]
    public required Guid ActionId { get; init; }

    [Public]
    public required PersonRef Person { get; init; }

    [Internal]
    public required PartnerId Partner { get; init; }

    [Internal]
    public required SupportActionStatus Status { get; init; }

    [Internal]
    public required DateOnly On { get; init; }
}

public sealed record RecordControl
{
    [Public]
    public required Guid ControlId { get; init; }

    [Public]
    public required PersonRef Person { get; init; }

    [Internal]
    public required PartnerId Partner { get; init; }

    [Internal]
    public required DateOnly ControlledOn { get; init; }

    [Internal]
    public required ControlOutcome Outcome { get; init; }
}

public sealed record ReportIncident
{
    [Public]
    public required Guid IncidentId { get; init; }

    [Public]
    public required PersonRef Person { get; init; }

    [Internal]
    public required PartnerId Partner { get; init; }

    [Internal]
    public required IncidentKind Kind { get; init; }

    [Internal]
    public required IncidentSeverity Severity { get; init; }

    [Internal]
    public required DateTimeOffset OccurredAt { get; init; }
}

public sealed record SupervisionOpened
{
    [Public]
    public required Guid CaseId { get; init; }

    [Public]
    public required PersonRef Person { get; init; }

    [Public]
    public required TerritoryCode Territory { get; init; }

    [Internal]
    public required string SentenceEnforcementJurisdiction { get; init; }

    [Internal]
    public required DateOnly ReleaseDate { get; init; }

    [Internal]
    public required DateOnly MeasureEndsOn { get; init; }
}

public sealed record PartnerAssigned
{
    [Public]
    public required Guid CaseId { get; init; }

    [Public]
    public required PersonRef Person { get; init; }

    [Internal]
    public required PartnerId Partner { get; init; }

    [Internal]
    public required PartnerRole Role { get; init; }

    /// <summary>When, so that an assignment heard after a later unassignment (each fact has its own queue) does not undo it.</summary>
    [Internal]
    public DateTimeOffset? AssignedAt { get; init; }
}

public sealed record ControlScheduled
{
    [Public]
    public required Guid CaseId { get; init; }

    [Public]
    public required Guid ControlId { get; init; }

    [Public]
    public required PersonRef Person { get; init; }

    [Internal]
    public required PartnerId Partner { get; init; }

    [Internal]
    public required DateOnly ScheduledFor { get; init; }
}

public sealed record ControlRecorded
{
    [Public]
    public required Guid CaseId { get; init; }

    [Public]
    public required Guid ControlId { get; init; }

    [Public]
    public required PersonRef Person { get; init; }

    [Internal]
    public required PartnerId Partner { get; init; }

    [Internal]
    public required DateOnly ControlledOn { get; init; }

    [Internal]
    public required ControlOutcome Outcome { get; init; }
}

public sealed record IncidentReported
{
    [Public]
    public required Guid CaseId { get; init; }

    [Public]
    public required Guid IncidentId { get; init; }

    [Public]
    public required PersonRef Person { get; init; }

    [Internal]
    public required IncidentKind Kind { get; init; }

    [Internal]
    public required IncidentSeverity Severity { get; init; }

    [Internal]
    public required DateTimeOffset OccurredAt { get; init; }
}

public sealed record SupervisionEnded
{
    [Public]
    public required Guid CaseId { get; init; }

    [Public]
    public required PersonRef Person { get; init; }

    [Internal]
    public required SupervisionEndReason Reason { get; init; }

    [Public]
    public required DateTimeOffset EndedAt { get; init; }
}

/// <summary>
/// Law 2017-258's narrow flow, accepted by the gateway only under an opt-in sharing rule with its
/// legal basis, for a designated person: the report travels sealed for the supervision service.
/// </summary>
public sealed record DetentionConductReported
{
    [Public]
    public required PersonRef Person { get; init; }

    [Public]
    public required TerritoryCode Territory { get; init; }

    [Confidential]
    public required SealedPayload Report { get; init; }
}

/// <summary>Retention elapsed (F4): every service and the identity vault forget the person.</summary>
[Coordination.Contracts.Classification.ForgottenOnceSent]
public sealed record SupervisionPurged
{
    [Public]
    public required Guid CaseId { get; init; }

    [Public]
    public required PersonRef Person { get; init; }

    [Public]
    public required DateTimeOffset PurgedAt { get; init; }

    /// <summary>
    /// No other case of this person remains: the reference itself may be forgotten (the vault entry,
    /// lines of reports). False when the person was designated again and a later case goes on.
    /// </summary>
    [Public]
    public required bool LastCaseOfPerson { get; init; }
}

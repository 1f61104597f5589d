using Coordination.Contracts.Gateway;
using Coordination.Contracts.Supervision;
using Coordination.Contracts.Values;
using Coordination.ServiceDefaults.Rules;
using Coordination.Supervision.Domain;

namespace Coordination.UnitTests.Supervision;

public sealed class SupervisionCaseTests
{
    private static readonly DateTimeOffset Now = new(2026, 4, 20, 8, 0, 0, TimeSpan.Zero);
    private static readonly PartnerId Association = PartnerId.Parse("75-association");
    private static readonly PersonRef Person = PersonRef.New(TerritoryCode.Parse("75"));

    private static SupervisionCase NewCase() =>
        SupervisionCase.Open(
            Guid.NewGuid(),
            new DesignatePerson
            {
                Person = Person,
                Territory = TerritoryCode.Parse("75"),
                SentenceEnforcementJurisdiction = "tj-paris",
                ReleaseDate = new DateOnly(2026, 4, 1),
                MeasureEndsOn = new DateOnly(2027, 4, 1),
                Grounds = new SealedPayload
                {
                    KeyId = "k",
                    Recipient = "supervision",
                    Purpose = "p",
                    EphemeralPublicKey = [],
                    Nonce = [],
                    Ciphertext = [],
                    Tag = [],
                },
            },
            [DesignationGround.Personality],
            Now
        );

    private static Partner PartnerOf(string id, PartnerRole role = PartnerRole.Association) =>
        new()
        {
            Id = id,
            Territory = PartnerId.Parse(id).Territory,
            Role = role,
            Name = id,
            RegisteredBy = "test",
        };

    private static RecordControl Record(Guid control, PartnerId partner, ControlOutcome outcome = ControlOutcome.Compliant) =>
        new()
        {
            ControlId = control,
            Person = Person,
            Partner = partner,
            ControlledOn = new DateOnly(2026, 4, 8),
            Outcome = outcome,
        };

    private static string ReasonOf(Action change) => Assert.Throws<RuleViolation>(change).ReasonCode;

    [Fact]
    public void Only_a_partner_of_the_cases_territory_is_assigned_and_only_once()
    {
        var followed = NewCase();
        var assigned = followed.Assign(PartnerOf("75-association"), PartnerRole.Association, Now);
        Assert.Equal((Association, PartnerRole.Association, Person), (assigned.Partner, assigned.Role, assigned.Person));
        Assert.Equal("already-assigned", ReasonOf(() => followed.Assign(PartnerOf("75-association"), PartnerRole.Association, Now)));
        Assert.Equal(
            "partner-of-another-territory",
            ReasonOf(() => followed.Assign(PartnerOf("93-association"), PartnerRole.Association, Now))
        );
        Assert.Single(followed.Assignments);
    }

    [Fact]
    public void Controls_are_planned_for_assigned_partners_within_the_measure()
    {
        var followed = NewCase();
        Assert.Equal(
            "not-assigned-to-case",
            ReasonOf(() => followed.ScheduleControl(Guid.NewGuid(), Association, new DateOnly(2026, 4, 8)))
        );
        followed.Assign(PartnerOf("75-association"), PartnerRole.Association, Now);
        Assert.Equal("outside-measure", ReasonOf(() => followed.ScheduleControl(Guid.NewGuid(), Association, new DateOnly(2026, 3, 31))));
        Assert.Equal("outside-measure", ReasonOf(() => followed.ScheduleControl(Guid.NewGuid(), Association, new DateOnly(2027, 4, 2))));
        var id = Guid.NewGuid();
        Assert.Equal(new DateOnly(2026, 4, 8), followed.ScheduleControl(id, Association, new DateOnly(2026, 4, 8)).ScheduledFor);
        Assert.Equal("control-already-exists", ReasonOf(() => followed.ScheduleControl(id, Association, new DateOnly(2026, 4, 9))));
    }

    [Fact]
    public void A_controls_outcome_is_recorded_once_by_an_assigned_partner_planned_or_not()
    {
        var followed = NewCase();
        followed.Assign(PartnerOf("75-association"), PartnerRole.Association, Now);
        var planned = Guid.NewGuid();
        followed.ScheduleControl(planned, Association, new DateOnly(2026, 4, 8));

        Assert.Equal("not-assigned-to-case", ReasonOf(() => followed.RecordControl(Record(planned, PartnerId.Parse("75-police")), Now)));
        Assert.Equal(ControlOutcome.Missed, followed.RecordControl(Record(planned, Association, ControlOutcome.Missed), Now).Outcome);
        Assert.Equal("control-already-recorded", ReasonOf(() => followed.RecordControl(Record(planned, Association), Now)));
        followed.RecordControl(Record(Guid.NewGuid(), Association), Now);

        Assert.Equal(2, followed.Controls.Count);
        Assert.Equal(ControlOutcome.Missed, followed.Controls.Single(c => c.Id == planned).Outcome);
        Assert.Single(followed.Controls, c => c.ScheduledFor is null);
    }

    [Fact]
    public void An_ended_case_accepts_nothing_and_is_due_for_purge_after_the_retention_period()
    {
        var followed = NewCase();
        followed.Assign(PartnerOf("75-association"), PartnerRole.Association, Now);
        var ended = followed.End(SupervisionEndReason.EndOfMeasure, Now, TimeSpan.FromDays(365));

        Assert.Equal((SupervisionEndReason.EndOfMeasure, Now), (ended.Reason, ended.EndedAt));
        Assert.Equal(Now.AddDays(365), followed.PurgeDueAt);
        Assert.Equal("case-ended", ReasonOf(() => followed.RecordControl(Record(Guid.NewGuid(), Association), Now)));
        Assert.Equal(
            "case-ended",
            ReasonOf(() =>
                followed.ReportIncident(
                    new ReportIncident
                    {
                        IncidentId = Guid.NewGuid(),
                        Person = Person,
                        Partner = Association,
                        Kind = IncidentKind.Other,
                        Severity = IncidentSeverity.Minor,
                        OccurredAt = Now,
                    },
                    Now
                )
            )
        );
        Assert.Equal(
            "case-ended",
            ReasonOf(() => followed.Assign(PartnerOf("75-police", PartnerRole.StateService), PartnerRole.StateService, Now))
        );
        Assert.Equal("case-ended", ReasonOf(() => followed.End(SupervisionEndReason.Death, Now, TimeSpan.Zero)));
    }

    [Fact]
    public void A_postponed_control_stays_in_the_plan_and_its_real_outcome_is_recorded_later()
    {
        var followed = NewCase();
        followed.Assign(PartnerOf("75-association"), PartnerRole.Association, Now);
        var control = Guid.NewGuid();
        followed.ScheduleControl(control, Association, new DateOnly(2026, 4, 8));
        followed.RecordControl(Record(control, Association, ControlOutcome.Postponed), Now);
        Assert.Equal(ControlOutcome.Compliant, followed.RecordControl(Record(control, Association), Now).Outcome);
        Assert.Equal(
            "control-already-recorded",
            ReasonOf(() => followed.RecordControl(Record(control, Association, ControlOutcome.Missed), Now))
        );
    }

    [Fact]
    public void What_a_partner_records_cannot_be_dated_after_today_in_the_territory()
    {
        var followed = NewCase();
        followed.Assign(PartnerOf("75-association"), PartnerRole.Association, Now);
        var tomorrow = Record(Guid.NewGuid(), Association) with { ControlledOn = new DateOnly(2026, 4, 21) };
        Assert.Equal("date-in-future", ReasonOf(() => followed.RecordControl(tomorrow, Now)));
        Assert.Equal(
            "date-in-future",
            ReasonOf(() =>
                followed.ReportIncident(
                    new ReportIncident
                    {
                        IncidentId = Guid.NewGuid(),
                        Person = Person,
                        Partner = Association,
                        Kind = IncidentKind.Other,
                        Severity = IncidentSeverity.Serious,
                        OccurredAt = new DateTimeOffset(2062, 4, 20, 8, 0, 0, TimeSpan.Zero),
                    },
                    Now
                )
            )
        );
        Assert.Empty(followed.Controls);
        Assert.Empty(followed.Incidents);
    }

    [Fact]
    public void A_case_whose_measure_is_over_ends_by_itself_the_day_after_in_the_territory()
    {
        var followed = NewCase(); // the measure ends on 1 April 2027
        var lastDay = new DateTimeOffset(2027, 4, 1, 21, 0, 0, TimeSpan.Zero); // 23:00 in Paris
        Assert.Null(followed.EndIfMeasureOver(lastDay, TimeSpan.FromDays(30)));
        var dayAfter = new DateTimeOffset(2027, 4, 1, 22, 30, 0, TimeSpan.Zero); // 00:30 on 2 April in Paris
        var ended = followed.EndIfMeasureOver(dayAfter, TimeSpan.FromDays(30));
        Assert.Equal(SupervisionEndReason.EndOfMeasure, ended!.Reason);
        Assert.Equal(dayAfter.AddDays(30), followed.PurgeDueAt);
        Assert.Null(followed.EndIfMeasureOver(dayAfter.AddDays(1), TimeSpan.FromDays(30)));
    }

    [Fact]
    public void An_incident_is_reported_once_with_its_kind_and_severity()
    {
        var followed = NewCase();
        followed.Assign(PartnerOf("75-association"), PartnerRole.Association, Now);
        var report = new ReportIncident
        {
            IncidentId = Guid.NewGuid(),
            Person = Person,
            Partner = Association,
            Kind = IncidentKind.ThreatOrViolence,
            Severity = IncidentSeverity.Serious,
            OccurredAt = Now,
        };
        var reported = followed.ReportIncident(report, Now);
        Assert.Equal(
            (IncidentKind.ThreatOrViolence, IncidentSeverity.Serious, followed.Id),
            (reported.Kind, reported.Severity, reported.CaseId)
        );
        Assert.Equal("incident-already-reported", ReasonOf(() => followed.ReportIncident(report, Now)));
    }
}

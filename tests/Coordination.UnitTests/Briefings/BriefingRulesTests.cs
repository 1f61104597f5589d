using Coordination.Briefings.Domain;
using Coordination.Contracts;
using Coordination.Contracts.Briefings;
using Coordination.Contracts.Values;
using Coordination.ServiceDefaults.Territories;

namespace Coordination.UnitTests.Briefings;

public sealed class BriefingRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    public static RecordPenalPolicyBriefing Valid(string territory = "75", DateOnly? on = null) =>
        new()
        {
            Territory = TerritoryCode.Parse(territory),
            BriefedOn = on ?? new DateOnly(2026, 3, 2),
            ProsecutorOffice = "Parquet de Paris",
            PriorityThemes = [PenalPolicyTheme.DrugTrafficking, PenalPolicyTheme.DomesticViolence],
            Summary = "Priorités de politique pénale pour 2026.",
        };

    [Fact]
    public void A_complete_briefing_is_recorded_for_its_year()
    {
        var outcome = PenalPolicyBriefing.Record(Valid(), Guid.NewGuid(), Now);
        Assert.Empty(outcome.Violations);
        Assert.Equal(2026, outcome.Briefing!.Year);
        Assert.Equal(2, outcome.Briefing.PriorityThemes.Count);
    }

    [Fact]
    public void A_briefing_dated_tomorrow_is_refused()
    {
        var outcome = PenalPolicyBriefing.Record(Valid(on: new DateOnly(2026, 11, 27)), Guid.NewGuid(), Now);
        Assert.Null(outcome.Briefing);
        Assert.Equal(ReasonCodes.DateInFuture, Assert.Single(outcome.Violations).ReasonCode);
    }

    [Fact]
    public void Today_is_judged_in_the_territorys_own_time_zone()
    {
        // 26 Nov 23:30 UTC is already the 27th in Paris, still the 26th in Martinique.
        var lateEvening = new DateTimeOffset(2026, 11, 26, 23, 30, 0, TimeSpan.Zero);
        Assert.Empty(PenalPolicyBriefing.Record(Valid("75", new DateOnly(2026, 11, 27)), Guid.NewGuid(), lateEvening).Violations);
        Assert.Equal(
            ReasonCodes.DateInFuture,
            Assert
                .Single(PenalPolicyBriefing.Record(Valid("972", new DateOnly(2026, 11, 27)), Guid.NewGuid(), lateEvening).Violations)
                .ReasonCode
        );
    }

    [Fact]
    public void Missing_fields_are_each_named()
    {
        var command = Valid() with { ProsecutorOffice = " ", PriorityThemes = [], Summary = "" };
        var violations = PenalPolicyBriefing.Record(command, Guid.NewGuid(), Now).Violations;
        Assert.Equal(["prosecutorOffice", "priorityThemes", "summary"], violations.Select(v => v.Field));
        Assert.All(violations, v => Assert.Equal(ReasonCodes.MissingField, v.ReasonCode));
    }

    [Fact]
    public void Over_amqp_the_broken_rules_are_one_refusal_under_the_first_reason_code_naming_every_field()
    {
        var command = Valid() with { ProsecutorOffice = " ", Summary = "" };
        var refusal = BriefingRules.Refusal(PenalPolicyBriefing.Record(command, Guid.NewGuid(), Now).Violations);
        Assert.Equal(ReasonCodes.MissingField, refusal.ReasonCode);
        Assert.StartsWith($"{ReasonCodes.MissingField}: prosecutorOffice: ", refusal.Message);
        Assert.Contains(" summary: ", refusal.Message);
    }

    [Fact]
    public void A_summary_is_short()
    {
        var violation = Assert.Single(
            PenalPolicyBriefing.Record(Valid() with { Summary = new string('x', 2001) }, Guid.NewGuid(), Now).Violations
        );
        Assert.Equal(("summary", ReasonCodes.InvalidField), (violation.Field, violation.ReasonCode));
    }

    [Fact]
    public void A_theme_outside_the_closed_list_is_refused()
    {
        var violation = Assert.Single(
            PenalPolicyBriefing.Record(Valid() with { PriorityThemes = [(PenalPolicyTheme)99] }, Guid.NewGuid(), Now).Violations
        );
        Assert.Equal("priorityThemes", violation.Field);
    }
}

public sealed class AnnualComplianceTests
{
    private static readonly TerritoryCode Paris = TerritoryCode.Parse("75");
    private static readonly TimeSpan Lead = TimeSpan.FromDays(30);

    [Theory]
    [InlineData("2026-06-01T00:00:00Z", 1, ComplianceStatus.Met)]
    [InlineData("2026-06-01T00:00:00Z", 0, ComplianceStatus.Pending)]
    [InlineData("2026-12-01T22:59:00Z", 0, ComplianceStatus.Pending)]
    [InlineData("2026-12-01T23:00:00Z", 0, ComplianceStatus.Due)]
    [InlineData("2026-12-31T22:59:59Z", 0, ComplianceStatus.Due)]
    [InlineData("2026-12-31T23:00:00Z", 0, ComplianceStatus.Overdue)]
    [InlineData("2027-03-01T00:00:00Z", 1, ComplianceStatus.Met)]
    [InlineData("2025-12-31T22:59:59Z", 0, ComplianceStatus.NotStarted)]
    public void The_duty_of_a_year_is_met_by_one_briefing_in_that_year(string now, int briefings, ComplianceStatus expected) =>
        Assert.Equal(expected, AnnualCompliance.Of(Paris, 2026, briefings, DateTimeOffset.Parse(now), Lead));

    [Fact]
    public void The_year_of_Reunion_ends_three_hours_before_that_of_Paris()
    {
        Assert.Equal(new DateTimeOffset(2026, 12, 31, 23, 0, 0, TimeSpan.Zero), TerritoryCalendar.EndOfYear(Paris, 2026));
        Assert.Equal(
            new DateTimeOffset(2026, 12, 31, 20, 0, 0, TimeSpan.Zero),
            TerritoryCalendar.EndOfYear(TerritoryCode.Parse("974"), 2026)
        );
    }

    [Fact]
    public void A_due_deadline_fired_after_the_year_closed_leaves_the_alert_to_the_overdue_one()
    {
        var due = BriefingDeadline.ForYear(Paris, 2026, Lead).Single(d => d.Kind == DeadlineKind.AnnualBriefingDue);
        Assert.Equal(DeadlineOutcome.Superseded, due.Fire(dutyMet: false, new DateTimeOffset(2027, 1, 5, 0, 0, 0, TimeSpan.Zero)));
        var late = BriefingDeadline.ForYear(Paris, 2026, Lead).Single(d => d.Kind == DeadlineKind.AnnualBriefingDue);
        Assert.Equal(DeadlineOutcome.Raised, late.Fire(dutyMet: false, new DateTimeOffset(2026, 12, 5, 0, 0, 0, TimeSpan.Zero)));
        var met = BriefingDeadline.ForYear(Paris, 2026, Lead).Single(d => d.Kind == DeadlineKind.AnnualBriefingOverdue);
        Assert.Equal(DeadlineOutcome.AlreadyMet, met.Fire(dutyMet: true, new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero)));
    }
}

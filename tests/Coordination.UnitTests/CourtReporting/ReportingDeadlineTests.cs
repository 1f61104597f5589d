using Coordination.Contracts.Values;
using Coordination.CourtReporting.Domain;
using Coordination.ServiceDefaults.Security;

namespace Coordination.UnitTests.CourtReporting;

public sealed class ReportingDeadlineTests
{
    [Theory]
    [InlineData("2026-04-02", 1, "2026-04-01", "2026-04-30", "2026-05-01")]
    [InlineData("2026-02-28", 1, "2026-02-01", "2026-02-28", "2026-03-01")]
    [InlineData("2026-12-31", 1, "2026-12-01", "2026-12-31", "2027-01-01")]
    [InlineData("2026-05-15", 3, "2026-04-01", "2026-06-30", "2026-07-01")]
    [InlineData("2026-01-01", 12, "2026-01-01", "2026-12-31", "2027-01-01")]
    public void A_period_is_whole_calendar_months_and_falls_due_at_midnight_after_it_in_the_territory(
        string day,
        int months,
        string start,
        string end,
        string due
    )
    {
        var deadline = ReportingDeadline.For(Paris, DateOnly.Parse(day), months);
        Assert.Equal((DateOnly.Parse(start), DateOnly.Parse(end)), (deadline.PeriodStart, deadline.PeriodEnd));
        var parisMidnight = DateOnly.Parse(due).ToDateTime(TimeOnly.MinValue);
        Assert.Equal(new DateTimeOffset(parisMidnight, ParisOffset(parisMidnight)), deadline.DueAt);
    }

    [Fact]
    public void An_overseas_jurisdictions_period_ends_hours_after_paris()
    {
        var reunion = new Jurisdiction(
            "tj-saint-denis",
            "Tribunal judiciaire de Saint-Denis",
            TerritoryCode.Parse("974"),
            "974-jap",
            "974-spip"
        );
        var due = ReportingDeadline.For(reunion, new DateOnly(2026, 4, 2), 1).DueAt;
        // 1 May 00:00 in Réunion (UTC+4) is 30 April 20:00 UTC, two hours before Paris (UTC+2 in spring).
        Assert.Equal(new DateTimeOffset(2026, 4, 30, 20, 0, 0, TimeSpan.Zero), due);
        Assert.Equal(
            new DateTimeOffset(2026, 4, 30, 22, 0, 0, TimeSpan.Zero),
            ReportingDeadline.For(Paris, new DateOnly(2026, 4, 2), 1).DueAt
        );
    }

    private static readonly Jurisdiction Paris = DemoJurisdictions.Find("tj-paris")!;

    private static TimeSpan ParisOffset(DateTime local) => TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris").GetUtcOffset(local);

    [Fact]
    public void Firing_a_deadline_gives_the_next_period_without_gap_or_overlap()
    {
        var april = ReportingDeadline.For(Paris, new DateOnly(2026, 4, 2), 1);
        var now = new DateTimeOffset(2026, 5, 1, 0, 5, 0, TimeSpan.Zero);
        var may = april.Fire(Paris, now, 1);
        Assert.Equal(now, april.FiredAt);
        Assert.Equal((new DateOnly(2026, 5, 1), new DateOnly(2026, 5, 31), "tj-paris"), (may.PeriodStart, may.PeriodEnd, may.Jurisdiction));
        Assert.Null(may.FiredAt);
    }
}

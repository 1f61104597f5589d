using Coordination.CourtReporting.Domain;

namespace Coordination.UnitTests.CourtReporting;

public sealed class ReportingDeadlineTests
{
    [Theory]
    [InlineData("2026-04-02", 1, "2026-04-01", "2026-04-30", "2026-05-01")]
    [InlineData("2026-02-28", 1, "2026-02-01", "2026-02-28", "2026-03-01")]
    [InlineData("2026-12-31", 1, "2026-12-01", "2026-12-31", "2027-01-01")]
    [InlineData("2026-05-15", 3, "2026-04-01", "2026-06-30", "2026-07-01")]
    [InlineData("2026-01-01", 12, "2026-01-01", "2026-12-31", "2027-01-01")]
    public void A_period_is_whole_calendar_months_and_falls_due_the_day_after(string day, int months, string start, string end, string due)
    {
        var deadline = ReportingDeadline.For("tj-paris", DateOnly.Parse(day), months);
        Assert.Equal((DateOnly.Parse(start), DateOnly.Parse(end)), (deadline.PeriodStart, deadline.PeriodEnd));
        Assert.Equal(new DateTimeOffset(DateOnly.Parse(due).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), deadline.DueAt);
    }

    [Fact]
    public void Firing_a_deadline_gives_the_next_period_without_gap_or_overlap()
    {
        var april = ReportingDeadline.For("tj-paris", new DateOnly(2026, 4, 2), 1);
        var now = new DateTimeOffset(2026, 5, 1, 0, 5, 0, TimeSpan.Zero);
        var may = april.Fire(now, 1);
        Assert.Equal(now, april.FiredAt);
        Assert.Equal((new DateOnly(2026, 5, 1), new DateOnly(2026, 5, 31), "tj-paris"), (may.PeriodStart, may.PeriodEnd, may.Jurisdiction));
        Assert.Null(may.FiredAt);
    }
}

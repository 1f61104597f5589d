namespace Coordination.CourtReporting.Domain;

/// <summary>
/// The durable alarm of one jurisdiction's reporting period: a row, so that a restart or an outage
/// loses no report; once fired, the next period's row is written in the same commit.
/// </summary>
public sealed class ReportingDeadline
{
    public long Id { get; private init; }
    public string Jurisdiction { get; private init; } = "";
    public DateOnly PeriodStart { get; private init; }
    public DateOnly PeriodEnd { get; private init; }
    /// <summary>The first instant after the period: midnight UTC of the day after its last day.</summary>
    public DateTimeOffset DueAt { get; private init; }
    public DateTimeOffset? FiredAt { get; private set; }

    private ReportingDeadline() { }

    /// <summary>The period containing <paramref name="day"/>, periods being <paramref name="months"/> calendar months from January.</summary>
    public static ReportingDeadline For(string jurisdiction, DateOnly day, int months)
    {
        var startMonth = (day.Month - 1) / months * months + 1;
        var start = new DateOnly(day.Year, startMonth, 1);
        var end = start.AddMonths(months).AddDays(-1);
        return new ReportingDeadline
        {
            Jurisdiction = jurisdiction,
            PeriodStart = start,
            PeriodEnd = end,
            DueAt = new DateTimeOffset(end.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero),
        };
    }

    public ReportingDeadline Fire(DateTimeOffset now, int months)
    {
        FiredAt = now;
        return For(Jurisdiction, PeriodEnd.AddDays(1), months);
    }
}

using Coordination.ServiceDefaults.Security;
using Coordination.ServiceDefaults.Territories;

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

    /// <summary>The first instant after the period: the end of its last day in the jurisdiction's territory.</summary>
    public DateTimeOffset DueAt { get; private init; }
    public DateTimeOffset? FiredAt { get; private set; }

    private ReportingDeadline() { }

    /// <summary>
    /// The period containing <paramref name="day"/>, periods being <paramref name="months"/> calendar months from January.
    /// </summary>
    public static ReportingDeadline For(Jurisdiction jurisdiction, DateOnly day, int months)
    {
        var startMonth = (day.Month - 1) / months * months + 1;
        var start = new DateOnly(day.Year, startMonth, 1);
        var end = start.AddMonths(months).AddDays(-1);
        return new ReportingDeadline
        {
            Jurisdiction = jurisdiction.Id,
            PeriodStart = start,
            PeriodEnd = end,
            DueAt = TerritoryCalendar.EndOfDay(jurisdiction.Territory, end),
        };
    }

    public ReportingDeadline Fire(Jurisdiction jurisdiction, DateTimeOffset now, int months)
    {
        FiredAt = now;
        return For(jurisdiction, PeriodEnd.AddDays(1), months);
    }
}

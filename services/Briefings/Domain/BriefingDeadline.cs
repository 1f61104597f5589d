using Coordination.Contracts.Values;
using Coordination.ServiceDefaults.Territories;

namespace Coordination.Briefings.Domain;

public enum DeadlineKind
{
    AnnualBriefingDue = 1,
    AnnualBriefingOverdue = 2,
}

public enum DeadlineOutcome
{
    Raised = 1,
    AlreadyMet = 2,
    Superseded = 3,
}

/// <summary>
/// A durable alarm: a row, so that a restart, a redeploy or a week of downtime loses no alert.
/// </summary>
public sealed class BriefingDeadline
{
    public long Id { get; private init; }
    public DeadlineKind Kind { get; private init; }
    public TerritoryCode Territory { get; private init; }
    public int Year { get; private init; }
    public DateTimeOffset FiresAt { get; private init; }
    public DateTimeOffset? FiredAt { get; private set; }
    public DeadlineOutcome? Outcome { get; private set; }

    private BriefingDeadline() { }

    public static IEnumerable<BriefingDeadline> ForYear(TerritoryCode territory, int year, TimeSpan dueLead)
    {
        var yearEnds = TerritoryCalendar.EndOfYear(territory, year);
        yield return new BriefingDeadline
        {
            Kind = DeadlineKind.AnnualBriefingDue,
            Territory = territory,
            Year = year,
            FiresAt = yearEnds - dueLead,
        };
        yield return new BriefingDeadline
        {
            Kind = DeadlineKind.AnnualBriefingOverdue,
            Territory = territory,
            Year = year,
            FiresAt = yearEnds,
        };
    }

    /// <summary>Decides what firing means now; the caller publishes when the outcome is <see cref="DeadlineOutcome.Raised"/>.</summary>
    public DeadlineOutcome Fire(bool dutyMet, DateTimeOffset now)
    {
        Outcome =
            dutyMet ? DeadlineOutcome.AlreadyMet
            // the overdue alert says it better
            : Kind == DeadlineKind.AnnualBriefingDue && now >= TerritoryCalendar.EndOfYear(Territory, Year) ? DeadlineOutcome.Superseded
            : DeadlineOutcome.Raised;
        FiredAt = now;
        return Outcome.Value;
    }
}

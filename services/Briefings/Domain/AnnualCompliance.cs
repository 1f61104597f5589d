using Coordination.Contracts.Values;
using Coordination.ServiceDefaults.Territories;

namespace Coordination.Briefings.Domain;

public enum ComplianceStatus
{
    /// <summary>At least one briefing took place in the year.</summary>
    Met,

    /// <summary>The year is under way, no briefing yet, the due alert not reached.</summary>
    Pending,

    /// <summary>No briefing yet and the year ends within the lead time.</summary>
    Due,

    /// <summary>The year closed without a briefing.</summary>
    Overdue,

    /// <summary>The year has not begun.</summary>
    NotStarted,
}

/// <summary>Whether a territory met, for one calendar year, the duty to be briefed at least once (1°).</summary>
public static class AnnualCompliance
{
    public static ComplianceStatus Of(TerritoryCode territory, int year, int briefingsInYear, DateTimeOffset now, TimeSpan dueLead)
    {
        if (briefingsInYear > 0)
            return ComplianceStatus.Met;
        var yearEnds = TerritoryCalendar.EndOfYear(territory, year);
        if (now >= yearEnds)
            return ComplianceStatus.Overdue;
        if (now < TerritoryCalendar.EndOfYear(territory, year - 1))
            return ComplianceStatus.NotStarted;
        return now >= yearEnds - dueLead ? ComplianceStatus.Due : ComplianceStatus.Pending;
    }
}

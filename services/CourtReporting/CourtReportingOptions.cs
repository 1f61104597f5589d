namespace Coordination.CourtReporting;

/// <summary>Bound from the <c>CourtReporting</c> configuration section.</summary>
public sealed class CourtReportingOptions
{
    public const string Section = "CourtReporting";

    /// <summary>Length of a reporting period in calendar months: 1 (monthly, the default), 3 for quarterly.</summary>
    public int PeriodMonths { get; set; } = 1;

    public TimeSpan DeadlinePollInterval { get; set; } = TimeSpan.FromMinutes(1);
}

namespace Coordination.Briefings;

/// <summary>Bound from the <c>Briefings</c> configuration section.</summary>
public sealed class BriefingsOptions
{
    public const string Section = "Briefings";

    /// <summary>How long before the year ends a territory with no briefing yet gets <c>AnnualBriefingDue</c>.</summary>
    public TimeSpan DueLead { get; set; } = TimeSpan.FromDays(30);

    public TimeSpan DeadlinePollInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The départements this platform serves; deadlines are kept for each.</summary>
    public string[] Territories { get; set; } = ["75", "93"];
}

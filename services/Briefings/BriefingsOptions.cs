using Coordination.Contracts.Values;

namespace Coordination.Briefings;

/// <summary>Bound from the <c>Briefings</c> configuration section.</summary>
public sealed class BriefingsOptions
{
    public const string Section = "Briefings";

    /// <summary>How long before the year ends a territory with no briefing yet gets <c>AnnualBriefingDue</c>.</summary>
    public TimeSpan DueLead { get; set; } = TimeSpan.FromDays(30);

    public TimeSpan DeadlinePollInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The départements this platform serves; deadlines are kept for each. Empty: the demo's 75 and 93.</summary>
    /// <remarks>No initial value: the configuration binder appends to an array, it does not replace it.</remarks>
    public string[] Territories { get; set; } = [];

    public static readonly string[] DemoTerritories = ["75", "93"];

    public IReadOnlyList<TerritoryCode> ServedTerritories() =>
        (Territories.Length > 0 ? Territories : DemoTerritories).Select(TerritoryCode.Parse).Distinct().ToList();
}

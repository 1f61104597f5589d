using Coordination.Contracts.Values;

namespace Coordination.ServiceDefaults.Territories;

/// <summary>
/// Days and years are the territory's own: an overseas département's day, deadline or year ends
/// hours after Paris's. Every service that dates a duty uses this one calendar.
/// </summary>
public static class TerritoryCalendar
{
    public static TimeZoneInfo TimeZoneOf(TerritoryCode territory) =>
        Find(
            territory.Value switch
            {
                "971" => "America/Guadeloupe",
                "972" => "America/Martinique",
                "973" => "America/Cayenne",
                "974" => "Indian/Reunion",
                "976" => "Indian/Mayotte",
                _ => "Europe/Paris",
            }
        );

    public static DateOnly Today(TerritoryCode territory, DateTimeOffset now) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, TimeZoneOf(territory)).DateTime);

    /// <summary>The instant <paramref name="day"/> ends in the territory: its next local midnight.</summary>
    public static DateTimeOffset EndOfDay(TerritoryCode territory, DateOnly day)
    {
        var zone = TimeZoneOf(territory);
        var localMidnight = day.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        return new DateTimeOffset(localMidnight, zone.GetUtcOffset(localMidnight)).ToUniversalTime();
    }

    /// <summary>The instant the territory's calendar year <paramref name="year"/> ends (midnight of 1 January after it).</summary>
    public static DateTimeOffset EndOfYear(TerritoryCode territory, int year) => EndOfDay(territory, new DateOnly(year, 12, 31));

    private static TimeZoneInfo Find(string id)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (TimeZoneNotFoundException)
        {
            return TimeZoneInfo.Utc;
        }
    }
}

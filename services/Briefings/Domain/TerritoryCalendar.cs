using Coordination.Contracts.Values;

namespace Coordination.Briefings.Domain;

/// <summary>
/// A calendar year is the territory's own: overseas départements close their year hours after Paris.
/// </summary>
public static class TerritoryCalendar
{
    public static TimeZoneInfo TimeZoneOf(TerritoryCode territory) => Find(territory.Value switch
    {
        "971" => "America/Guadeloupe",
        "972" => "America/Martinique",
        "973" => "America/Cayenne",
        "974" => "Indian/Reunion",
        "976" => "Indian/Mayotte",
        _ => "Europe/Paris",
    });

    public static DateOnly Today(TerritoryCode territory, DateTimeOffset now) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, TimeZoneOf(territory)).DateTime);

    /// <summary>The instant the territory's calendar year <paramref name="year"/> ends (midnight of 1 January after it).</summary>
    public static DateTimeOffset EndOfYear(TerritoryCode territory, int year)
    {
        var zone = TimeZoneOf(territory);
        var localMidnight = new DateTime(year + 1, 1, 1, 0, 0, 0, DateTimeKind.Unspecified);
        return new DateTimeOffset(localMidnight, zone.GetUtcOffset(localMidnight)).ToUniversalTime();
    }

    private static TimeZoneInfo Find(string id)
    {
        try { return TimeZoneInfo.FindSystemTimeZoneById(id); }
        catch (TimeZoneNotFoundException) { return TimeZoneInfo.Utc; }
    }
}

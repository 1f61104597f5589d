using Coordination.Contracts.Values;

namespace Coordination.Opinions.Domain;

/// <summary>
/// Dates of a review are the territory's own: an overseas département's respond-by day ends hours
/// after Paris's. (Briefings keeps the same zones; services share no code but the defaults.)
/// </summary>
public static class TerritoryClock
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

    /// <summary>Midnight after <paramref name="day"/>, in the territory's time.</summary>
    public static DateTimeOffset EndOfDay(TerritoryCode territory, DateOnly day)
    {
        var zone = TimeZoneOf(territory);
        var localMidnight = day.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        return new DateTimeOffset(localMidnight, zone.GetUtcOffset(localMidnight)).ToUniversalTime();
    }

    private static TimeZoneInfo Find(string id)
    {
        try { return TimeZoneInfo.FindSystemTimeZoneById(id); }
        catch (TimeZoneNotFoundException) { return TimeZoneInfo.Utc; }
    }
}

using System.Globalization;
using System.Resources;

namespace Coordination.WebConsole;

/// <summary>
/// The console's texts, from <c>Resources/Texts.resx</c> (French, the neutral language). English, or
/// another language, is a <c>Texts.en.resx</c> beside it: the culture of the request picks it.
/// </summary>
public sealed class Texts
{
    private static readonly ResourceManager Resources = new("Coordination.WebConsole.Resources.Texts", typeof(Texts).Assembly);

    public static readonly CultureInfo French = CultureInfo.GetCultureInfo("fr-FR");

    public string this[string key] => Get(key);

    public string this[string key, params object?[] arguments] => string.Format(CultureInfo.CurrentCulture, Get(key), arguments);

    /// <summary>A text; a key with no text shows as itself in brackets (and the resource test fails on it).</summary>
    public static string Get(string key) => Resources.GetString(key, CultureInfo.CurrentUICulture) ?? $"[{key}]";

    public static bool Has(string key) => Resources.GetString(key, CultureInfo.InvariantCulture) is not null;

    /// <summary>A closed-list word (a theme, a status, a role…) in the user's language; an unknown one as sent.</summary>
    public string Word(string list, string? word) =>
        word is null ? "—" : Resources.GetString($"{list}.{word}", CultureInfo.CurrentUICulture) ?? word;
}

/// <summary>Dates as French users read them: dd/MM/yyyy, in Paris time.</summary>
public static class FrenchTime
{
    public static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");

    public static string Date(DateOnly? date) => date?.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture) ?? "—";

    public static string Date(string? isoDate) =>
        isoDate is null ? "—"
        : DateOnly.TryParseExact(isoDate, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? Date(d)
        : DateTimeOffset.TryParse(isoDate, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t)
            ? Date(DateOnly.FromDateTime(InParis(t)))
        : isoDate;

    public static string DateTime(string? instant) =>
        instant is not null && DateTimeOffset.TryParse(instant, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t)
            ? InParis(t).ToString("dd/MM/yyyy HH:mm", CultureInfo.InvariantCulture)
            : instant ?? "—";

    public static DateTime InParis(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, Paris).DateTime;

    public static DateOnly Today(TimeProvider clock) => DateOnly.FromDateTime(InParis(clock.GetUtcNow()));
}

using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Coordination.Contracts.Values;

/// <summary>
/// A département by its INSEE code: 01–19, 2A, 2B, 21–95 and the overseas départements 971–974
/// and 976. Not 20 (Corsica has been split since 1976) and not 975 (Saint-Pierre-et-Miquelon is
/// an overseas collectivity, not a département).
/// </summary>
[JsonConverter(typeof(TerritoryCodeJsonConverter))]
public readonly record struct TerritoryCode
{
    public static FrozenSet<string> All { get; } = BuildAll();

    private TerritoryCode(string value) => Value = value;

    public string Value { get; }

    public static bool IsKnown(string? code) => code is not null && All.Contains(code);

    public static bool TryParse([NotNullWhen(true)] string? code, out TerritoryCode territory)
    {
        var normalised = code?.Trim().ToUpperInvariant();
        if (normalised is not null && All.Contains(normalised))
        {
            territory = new TerritoryCode(normalised);
            return true;
        }
        territory = default;
        return false;
    }

    public static TerritoryCode Parse(string code) =>
        TryParse(code, out var territory) ? territory : throw new FormatException($"'{code}' is not an INSEE département code.");

    public override string ToString() => Value ?? string.Empty;

    private static FrozenSet<string> BuildAll()
    {
        var codes = new List<string>();
        for (var i = 1; i <= 95; i++)
        {
            if (i == 20)
            {
                codes.Add("2A");
                codes.Add("2B");
                continue;
            }
            codes.Add(i.ToString("00", System.Globalization.CultureInfo.InvariantCulture));
        }
        codes.AddRange(["971", "972", "973", "974", "976"]);
        return codes.ToFrozenSet(StringComparer.Ordinal);
    }
}

public sealed class TerritoryCodeJsonConverter : JsonConverter<TerritoryCode>
{
    public override TerritoryCode Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var raw = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        // The message names the rule, not the value: the value may be anything a sender typed.
        return TerritoryCode.TryParse(raw, out var territory)
            ? territory
            : throw new JsonException("unknown-territory: the territory is not an INSEE département code.");
    }

    public override void Write(Utf8JsonWriter writer, TerritoryCode value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Value);
}

using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Coordination.Contracts.Values;

/// <summary>
/// A registered partner of a territory, e.g. <c>75-association-aide-victimes</c>: the territory
/// code, then a lower-case slug. Only registered partners exist for the system.
/// </summary>
[JsonConverter(typeof(PartnerIdJsonConverter))]
public readonly partial record struct PartnerId
{
    private PartnerId(string value) => Value = value;

    public string Value { get; }

    public TerritoryCode Territory => TerritoryCode.Parse(Value[..Value.IndexOf('-', 1)]);

    public static bool TryParse([NotNullWhen(true)] string? raw, out PartnerId partner)
    {
        partner = default;
        if (raw is null || !Shape().IsMatch(raw)) return false;
        var dash = raw.IndexOf('-', 1);
        if (!TerritoryCode.IsKnown(raw[..dash].ToUpperInvariant()) || raw[..dash] != raw[..dash].ToUpperInvariant()) return false;
        partner = new PartnerId(raw);
        return true;
    }

    public static PartnerId Parse(string raw) =>
        TryParse(raw, out var partner) ? partner : throw new FormatException("Not a partner id: expected '<territory>-<slug>'.");

    public override string ToString() => Value ?? string.Empty;

    [GeneratedRegex("^(?:[0-9]{2,3}|2A|2B)-[a-z0-9]+(?:-[a-z0-9]+)*$")]
    private static partial Regex Shape();
}

public sealed class PartnerIdJsonConverter : JsonConverter<PartnerId>
{
    public override PartnerId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        PartnerId.TryParse(reader.TokenType == JsonTokenType.String ? reader.GetString() : null, out var id)
            ? id
            : throw new JsonException("invalid-partner-id: expected '<territory>-<slug>'.");

    public override void Write(Utf8JsonWriter writer, PartnerId value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Value);
}

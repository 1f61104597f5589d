using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Coordination.Contracts.Values;

/// <summary>
/// A registered partner of a territory, e.g. <c>75-association-aide-victimes</c>: the territory
/// code, then a lower-case slug. Only registered partners exist for the system.
/// </summary>
[JsonConverter(typeof(PartnerIdJsonConverter))]
public readonly record struct PartnerId
{
    private PartnerId(string value) => Value = value;

    public string Value { get; }

    public TerritoryCode Territory => TerritoryCode.Parse(Value[..Value.IndexOf('-')]);

    /// <summary>A partner is an agency: the same account, so the same rule (<see cref="AgencyId"/>).</summary>
    public static bool TryParse([NotNullWhen(true)] string? raw, out PartnerId partner)
    {
        partner = AgencyId.TryParse(raw, out var agency) ? new PartnerId(agency.Value) : default;
        return partner.Value is not null;
    }

    public static PartnerId Parse(string raw) =>
        TryParse(raw, out var partner) ? partner : throw new FormatException("Not a partner id: expected '<territory>-<slug>'.");

    public override string ToString() => Value ?? string.Empty;
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

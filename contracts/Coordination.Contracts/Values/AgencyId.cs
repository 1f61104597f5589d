using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Coordination.Contracts.Values;

/// <summary>
/// An agency's account, e.g. <c>75-prosecutor</c> or <c>2A-mairie-ajaccio</c>: a département code,
/// then a lower-case slug of at most <see cref="MaxSlugLength"/> characters. The id becomes a key
/// folder name and a queue name (<c>agency.&lt;id&gt;.inbox</c>), so nothing that could climb a
/// path (<c>..</c>, <c>/</c>) or add a queue-name segment (<c>.</c>) ever passes.
/// </summary>
[JsonConverter(typeof(AgencyIdJsonConverter))]
public readonly partial record struct AgencyId
{
    public const int MaxSlugLength = 40;

    /// <summary>The published rule (docs/agency-integration.md); the département code is then checked against the INSEE list.</summary>
    public const string Pattern = @"^(?:[0-9]{2}|2A|2B|97[1-6])-[a-z][a-z0-9]*(?:-[a-z0-9]+)*\z";

    private AgencyId(string value) => Value = value;

    public string Value { get; }

    public TerritoryCode Territory => TerritoryCode.Parse(Value[..Value.IndexOf('-')]);

    public static bool TryParse([NotNullWhen(true)] string? raw, out AgencyId agency)
    {
        agency = default;
        // Checked before the pattern: a regex over an unbounded input is work an attacker chooses.
        if (raw is null || raw.Length > 4 + MaxSlugLength || !Shape().IsMatch(raw))
            return false;
        var dash = raw.IndexOf('-');
        if (raw.Length - dash - 1 > MaxSlugLength || !TerritoryCode.IsKnown(raw[..dash]))
            return false;
        agency = new AgencyId(raw);
        return true;
    }

    public static bool IsValid([NotNullWhen(true)] string? raw) => TryParse(raw, out _);

    public static AgencyId Parse(string raw) =>
        TryParse(raw, out var agency) ? agency : throw new FormatException("Not an agency id: expected '<territory>-<slug>'.");

    public override string ToString() => Value ?? string.Empty;

    [GeneratedRegex(Pattern, RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}

public sealed class AgencyIdJsonConverter : JsonConverter<AgencyId>
{
    public override AgencyId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        AgencyId.TryParse(reader.TokenType == JsonTokenType.String ? reader.GetString() : null, out var id)
            ? id
            : throw new JsonException("invalid-agency-id: expected '<territory>-<slug>'.");

    public override void Write(Utf8JsonWriter writer, AgencyId value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Value);
}

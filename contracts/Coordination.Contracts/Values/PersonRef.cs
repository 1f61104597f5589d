using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Coordination.Contracts.Values;

/// <summary>
/// The pseudonym under which services know a designated person: random, drawn by the gateway per
/// territory (<c>75-P-</c> then 26 Crockford base-32 characters). It says nothing about the person;
/// only the gateway's identity vault links it to an identity.
/// </summary>
[JsonConverter(typeof(PersonRefJsonConverter))]
public readonly partial record struct PersonRef
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    private PersonRef(string value) => Value = value;

    public string Value { get; }

    public TerritoryCode Territory => TerritoryCode.Parse(Value[..Value.IndexOf("-P-", StringComparison.Ordinal)]);

    public static PersonRef New(TerritoryCode territory)
    {
        Span<byte> random = stackalloc byte[26];
        RandomNumberGenerator.Fill(random);
        Span<char> suffix = stackalloc char[26];
        for (var i = 0; i < suffix.Length; i++)
            suffix[i] = Alphabet[random[i] & 31];
        return new PersonRef($"{territory.Value}-P-{suffix}");
    }

    public static bool TryParse([NotNullWhen(true)] string? raw, out PersonRef person)
    {
        person = default;
        if (raw is null)
            return false;
        var match = Shape().Match(raw);
        if (!match.Success || !TerritoryCode.IsKnown(match.Groups[1].Value))
            return false;
        person = new PersonRef(raw);
        return true;
    }

    public static PersonRef Parse(string raw) =>
        TryParse(raw, out var person) ? person : throw new FormatException("Not a person reference.");

    public override string ToString() => Value ?? string.Empty;

    [GeneratedRegex("^([0-9]{2,3}|2A|2B)-P-[0-9A-HJKMNP-TV-Z]{26}$")]
    private static partial Regex Shape();
}

public sealed class PersonRefJsonConverter : JsonConverter<PersonRef>
{
    public override PersonRef Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        PersonRef.TryParse(reader.TokenType == JsonTokenType.String ? reader.GetString() : null, out var person)
            ? person
            : throw new JsonException("invalid-person-ref: not a person reference.");

    public override void Write(Utf8JsonWriter writer, PersonRef value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Value);
}

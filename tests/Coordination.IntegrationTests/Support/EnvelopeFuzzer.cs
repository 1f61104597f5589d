using System.Text;
using System.Text.Json.Nodes;
using CsCheck;

namespace Coordination.IntegrationTests.Support;

/// <summary>
/// One generated agency message: the address it is posted to (HTTP path or routing key), its bytes, and what was done to the example.
/// </summary>
public sealed record FuzzCase(string ExampleType, string Address, byte[] Body, string Mutations);

/// <summary>
/// Mutations of the documented examples, drawn by CsCheck from a seed so that a failing run replays.
/// The generator draws only small numbers (which example, which node, which edge value); the envelope
/// is built from them, so a seed is the whole case.
/// </summary>
public static class EnvelopeFuzzer
{
    /// <summary>
    /// Raw JSON tokens at the edges of what the schemas say and what the platform's types read. Raw,
    /// because some (a lone surrogate escape, 1e309, -0) cannot be written through JsonNode at all.
    /// </summary>
    public static readonly string[] EdgeValues =
    [
        // Numbers at and past Int32/Int64, doubles at their ends, fractions where integers are expected.
        "2147483647",
        "2147483648",
        "-2147483648",
        "-2147483649",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "-9223372036854775809",
        "18446744073709551616",
        "123456789012345678901234567890",
        "1e308",
        "-1e308",
        "1e309",
        "-1e309",
        "4.9e-324",
        "-0",
        "-0.0",
        "0",
        "-1",
        "1",
        "0.5",
        "1.0",
        "2.5e1",
        "1E2",
        "1e-7",
        // Strings that look like numbers, or like nothing.
        "\"NaN\"",
        "\"Infinity\"",
        "\"-Infinity\"",
        "\"-0\"",
        "\"1\"",
        "\"\"",
        "\" \"",
        "\"\\t\"",
        // Odd Unicode: zero-width, RTL marks, BOM, NUL, lone and paired surrogates, emoji, combining marks.
        "\"a\\u200Bb\"",
        "\"\u200B\"",
        "\"\\u202Etxt.exe\"",
        "\"\u200F\u202B75\u202C\"",
        "\"\\ufeff\"",
        "\"\\u0000\"",
        "\"a\\u0000b\"",
        "\"\\ud800\"",
        "\"\\udc00\"",
        "\"x\\ud800y\"",
        "\"\\ud83d\\ude00\"",
        "\"😀👨‍👩‍👧\"",
        "\"e\u0301\u0301\u0301\"",
        "\"\\uffff\"",
        "\"\\u0085\\u2028\"",
        // Dates: space for T, no offset, the calendar's ends, leap seconds, impossible days, garbage.
        "\"2026-02-10 10:00:00Z\"",
        "\"2026-02-10T10:00:00\"",
        "\"2026-02-10T10:00:00+01:00\"",
        "\"2026-02-10\"",
        "\"0001-01-01\"",
        "\"9999-12-31\"",
        "\"0001-01-01T00:00:00Z\"",
        "\"0001-01-01T00:00:00+14:00\"",
        "\"9999-12-31T23:59:59-14:00\"",
        "\"9999-12-31T23:59:59.9999999Z\"",
        "\"2016-12-31T23:59:60Z\"",
        "\"2026-06-30T23:59:60Z\"",
        "\"2026-02-30\"",
        "\"2026-13-01\"",
        "\"2026-02-29\"",
        "\"2028-02-29\"",
        "\"0000-01-01\"",
        "\"+002026-02-10\"",
        "\"20260210\"",
        "\"2026-W07-2\"",
        "\"10/02/2026\"",
        "\"2026-02-10T10:00:00.12345678901234Z\"",
        "\"2026-02-10T25:00:00Z\"",
        "\"2026-02-10t10:00:00z\"",
        "\"garbage\"",
        // Identifiers: GUIDs in other spellings, person references, territories.
        "\"00000000-0000-0000-0000-000000000000\"",
        "\"{6F2C1D0E-8B1A-4C55-9A57-3F1F5D2B7A10}\"",
        "\"6f2c1d0e8b1a4c559a573f1f5d2b7a10\"",
        "\"6F2C1D0E-8B1A-4C55-9A57-3F1F5D2B7A10\"",
        "\"6f2c1d0e-8b1a-4c55-9a57-3f1f5d2b7a1\"",
        "\"75-P-0123456789ABCDEFGHJKMNPQRS\"",
        "\"93-P-0123456789ABCDEFGHJKMNPQRS\"",
        "\"75-P-0123456789abcdefghjkmnpqrs\"",
        "\"2A\"",
        "\"2B\"",
        "\"976\"",
        "\"00\"",
        "\"75\"",
        "\"93\"",
        "\"20\"",
        // Values the closed lists know, in the wrong place.
        "\"drug-trafficking\"",
        "\"mediation\"",
        "\"compliant\"",
        "\"tj-paris\"",
        "\"briefings.record-briefing\"",
        // Other JSON types.
        "true",
        "false",
        "null",
        "[]",
        "{}",
        "[1,2,3]",
        "[null]",
        "{\"a\":1}",
        "[\"personality\"]",
    ];

    /// <summary>Characters long strings are made of: ASCII, accents, zero-width, RTL, emoji (escaped and not), NUL.</summary>
    private static readonly string[] LongStringUnits =
    [
        "a",
        "é",
        "\\u200B",
        "\u202E",
        "😀",
        "\\ud83d\\ude00",
        "\\u0000",
        " ",
        "\\\"",
        "\\\\",
    ];

    /// <summary>What is done to the example: kinds 0-6 change the JSON tree, 7-11 the bytes, 12 the address.</summary>
    public readonly record struct Op(int Kind, int Target, int Value, int Size);

    private const int Kinds = 13;

    /// <summary>
    /// Changes of the tree three times as often as of the bytes: broken bytes stop at the parser, the tree reaches the checks behind it.
    /// </summary>
    private static readonly Gen<int> KindGen = Gen.Frequency((3, Gen.Int[0, 6]), (1, Gen.Int[7, Kinds - 1]));

    public static readonly Gen<Op> OpGen = Gen.Select(
        KindGen,
        Gen.Int[0, 1 << 20],
        Gen.Int[0, 1 << 20],
        Gen.Int[0, 1 << 20],
        (k, t, v, s) => new Op(k, t, v, s)
    );

    /// <summary>An example and one to three changes; now and then none, so that valid messages are part of the mix.</summary>
    public static Gen<(int Example, Op[] Ops)> CaseGen(int examples) =>
        Gen.Select(Gen.Int[0, examples - 1], Gen.Frequency((1, Gen.Const(Array.Empty<Op>())), (19, OpGen.Array[1, 3])));

    public static FuzzCase Build(string exampleType, JsonObject example, Op[] ops, Guid messageId)
    {
        var envelope = example.DeepClone().AsObject();
        envelope["messageId"] = messageId.ToString();
        var raws = new Dictionary<string, string>();
        var renames = new Dictionary<string, string>();
        var address = exampleType;
        var described = new List<string>();
        string Raw(string token)
        {
            var placeholder = $"__raw_{raws.Count}__";
            raws[placeholder] = token;
            return placeholder;
        }

        foreach (var op in ops.Where(o => o.Kind <= 6))
        {
            var (parent, key, node) = Pick(envelope, op.Target);
            var path = node?.GetPath() ?? parent.GetPath();
            switch (op.Kind)
            {
                case 0:
                    var edge = EdgeValues[op.Value % EdgeValues.Length];
                    Set(parent, key, Raw(edge));
                    described.Add($"{path}={edge}");
                    break;
                case 1:
                    if (parent is JsonObject removeFrom && key is string name)
                        removeFrom.Remove(name);
                    else if (parent is JsonArray array && key is int index && index < array.Count)
                        array.RemoveAt(index);
                    described.Add($"-{path}");
                    break;
                case 2:
                    var container = node as JsonObject ?? parent as JsonObject ?? envelope;
                    var extra = (op.Size % 4) switch
                    {
                        0 => "extra",
                        1 => "$type",
                        2 => "__proto__",
                        _ => $"x{op.Size}",
                    };
                    container[extra] = Raw(EdgeValues[op.Value % EdgeValues.Length]);
                    described.Add($"+{container.GetPath()}.{extra}");
                    break;
                case 3:
                    // A second property of the same name: written under a stand-in name, renamed in the text.
                    var owner = parent as JsonObject ?? envelope;
                    var duplicated = owner.Select(p => p.Key).Where(k => !k.StartsWith("__", StringComparison.Ordinal)).ToList();
                    if (duplicated.Count == 0)
                        break;
                    var twin = duplicated[op.Size % duplicated.Count];
                    var standIn = $"__dup_{renames.Count}__";
                    renames[standIn] = twin;
                    owner[standIn] = Raw(EdgeValues[op.Value % EdgeValues.Length]);
                    described.Add($"dup {owner.GetPath()}.{twin}");
                    break;
                case 4:
                    var depth = 1 + op.Size % 80;
                    var inner = EdgeValues[op.Value % EdgeValues.Length];
                    var nested =
                        op.Value % 2 == 0
                            ? string.Concat(Enumerable.Repeat("[", depth)) + inner + string.Concat(Enumerable.Repeat("]", depth))
                            : string.Concat(Enumerable.Repeat("{\"a\":", depth)) + inner + new string('}', depth);
                    Set(parent, key, Raw(nested));
                    described.Add($"{path}=nested({depth})");
                    break;
                case 5:
                    // Long strings, some past the 64 KB limit once escaped.
                    int[] lengths = [100, 1_000, 10_000, 30_000, 65_000, 70_000];
                    var length = lengths[op.Size % lengths.Length];
                    var unit = LongStringUnits[op.Value % LongStringUnits.Length];
                    var text = new StringBuilder(length * unit.Length + 2).Append('"');
                    for (var i = 0; i < length; i++)
                        text.Append(unit);
                    Set(parent, key, Raw(text.Append('"').ToString()));
                    described.Add($"{path}=long({length}x{unit})");
                    break;
                case 6:
                    // The same value under another JSON type.
                    var changed = node switch
                    {
                        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String => op.Value % 2 == 0
                            ? $"[{v.ToJsonString()}]"
                            : "{\"value\":" + v.ToJsonString() + "}",
                        JsonValue v => $"\"{v.ToJsonString()}\"",
                        JsonArray a => a.Count > 0 ? a[0]?.ToJsonString() ?? "null" : "\"\"",
                        JsonObject o => $"[{o.ToJsonString()}]",
                        _ => "0",
                    };
                    Set(parent, key, Raw(changed));
                    described.Add($"{path}~type");
                    break;
            }
        }

        var json = envelope.ToJsonString();
        // Latest first: a later token may hold an earlier placeholder (a type change of a changed value).
        foreach (var (placeholder, token) in raws.Reverse())
            json = json.Replace($"\"{placeholder}\"", token, StringComparison.Ordinal);
        foreach (var (standIn, twin) in renames)
            json = json.Replace($"\"{standIn}\"", System.Text.Json.JsonSerializer.Serialize(twin), StringComparison.Ordinal);
        var body = Encoding.UTF8.GetBytes(json);

        foreach (var op in ops.Where(o => o.Kind > 6))
        {
            switch (op.Kind)
            {
                case 7:
                    body = body[..(op.Target % Math.Max(body.Length, 1))];
                    described.Add($"truncated@{body.Length}");
                    break;
                case 8:
                    // A byte of JSON syntax, or of nothing, somewhere.
                    byte[] junk = [(byte)'{', (byte)'}', (byte)'"', (byte)',', (byte)':', (byte)'\\', 0, 0x7f, (byte)'\n'];
                    var at = op.Target % Math.Max(body.Length, 1);
                    body = [.. body[..at], junk[op.Value % junk.Length], .. body[at..]];
                    described.Add($"byte@{at}");
                    break;
                case 9:
                    // Past the limit with whitespace alone: well-formed, and too large.
                    var pad = 64 * 1024 - body.Length + (op.Size % 3) - 1;
                    if (pad > 0 && body.Length > 0)
                        body = [.. body[..^1], .. Enumerable.Repeat((byte)' ', pad), body[^1]];
                    described.Add($"padded to {body.Length}");
                    break;
                case 10:
                    // Bytes that are no UTF-8: a lone continuation, an overlong NUL, a surrogate encoded as UTF-8.
                    byte[][] invalid =
                    [
                        [0x80],
                        [0xC0, 0x80],
                        [0xED, 0xA0, 0x80],
                        [0xFF],
                        [0xC3, 0x28],
                        [0xEF, 0xBB, 0xBF],
                    ];
                    var where = op.Target % Math.Max(body.Length, 1);
                    body = [.. body[..where], .. invalid[op.Value % invalid.Length], .. body[where..]];
                    described.Add($"utf8@{where}");
                    break;
                case 11:
                    string[] roots =
                    [
                        "",
                        " ",
                        "null",
                        "[]",
                        "\"envelope\"",
                        "42",
                        "[{}]",
                        "{",
                        "{}",
                        "{\"messageId\":null}",
                        "\ufeff{}",
                        "{\"a\":1}{\"b\":2}",
                    ];
                    body = Encoding.UTF8.GetBytes(roots[op.Value % roots.Length]);
                    described.Add($"root={roots[op.Value % roots.Length]}");
                    break;
                case 12:
                    string[] addresses =
                    [
                        .. Coordination.Contracts.Gateway.IngressTypeNames.All,
                        "briefings.rewrite-history",
                        "x",
                        "BRIEFINGS.RECORD-BRIEFING",
                        "é",
                        "a.b.c.d",
                        new string('t', 200),
                    ];
                    address = addresses[op.Value % addresses.Length];
                    described.Add($"address={(address.Length > 40 ? address[..40] + "…" : address)}");
                    break;
            }
        }
        return new FuzzCase(exampleType, address, body, string.Join(" ", described));
    }

    /// <summary>Every place in the envelope a value sits, the root's own fields included, numbered depth first.</summary>
    private static (JsonNode Parent, object Key, JsonNode? Node) Pick(JsonObject root, int target)
    {
        var places = new List<(JsonNode, object, JsonNode?)>();
        void Walk(JsonNode container)
        {
            if (container is JsonObject o)
                foreach (var (k, v) in o.ToList())
                {
                    places.Add((o, k, v));
                    if (v is JsonObject or JsonArray)
                        Walk(v);
                }
            else if (container is JsonArray a)
                for (var i = 0; i < a.Count; i++)
                {
                    places.Add((a, i, a[i]));
                    if (a[i] is JsonObject or JsonArray)
                        Walk(a[i]!);
                }
        }
        Walk(root);
        return places[target % places.Count];
    }

    private static void Set(JsonNode parent, object key, string placeholder)
    {
        if (parent is JsonObject o)
            o[(string)key] = placeholder;
        else if (parent is JsonArray a && key is int i && i < a.Count)
            a[i] = placeholder;
    }
}

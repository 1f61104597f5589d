using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Coordination.Contracts.Values;

/// <summary>The kebab-case words of a closed list, as agencies and operators write them.</summary>
public static class ClosedList<TEnum>
    where TEnum : struct, Enum
{
    private static readonly FrozenDictionary<string, TEnum> ByWord = Enum.GetValues<TEnum>()
        .ToFrozenDictionary(v => WordOf(v), StringComparer.Ordinal);

    public static IReadOnlyCollection<string> Words => ByWord.Keys;

    public static string WordOf(TEnum value) => JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());

    public static bool TryParse([NotNullWhen(true)] string? word, out TEnum value)
    {
        value = default;
        return word is not null && ByWord.TryGetValue(word, out value);
    }
}

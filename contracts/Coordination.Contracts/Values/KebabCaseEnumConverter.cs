using System.Text.Json;
using System.Text.Json.Serialization;

namespace Coordination.Contracts.Values;

/// <summary>Closed lists travel as kebab-case words, which agency systems in any language can read.</summary>
public sealed class KebabCaseEnumConverter<TEnum>()
    : JsonStringEnumConverter<TEnum>(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false)
    where TEnum : struct, Enum;

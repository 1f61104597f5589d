using Coordination.Contracts.Values;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Coordination.ServiceDefaults.Persistence;

public sealed class TerritoryCodeConverter() : ValueConverter<TerritoryCode, string>(t => t.Value, s => TerritoryCode.Parse(s));

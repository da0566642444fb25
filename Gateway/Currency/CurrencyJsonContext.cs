using System.Text.Json.Serialization;

namespace Gateway.Currency;

/// <summary>The shared rates in Redis: <c>{"EUR":{"rate":0.86,"asOf":…,"fetchedAt":…},…}</c>.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(Dictionary<string, RateEntry>))]
internal sealed partial class CurrencyJsonContext : JsonSerializerContext;

using System.Text.Json.Serialization;

namespace Gateway.Hosting;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ReadinessReport))]
internal sealed partial class HostingJsonContext : JsonSerializerContext;

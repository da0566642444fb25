using System.Text.Json.Serialization;

namespace Gateway.Redirects;

[JsonSourceGenerationOptions(ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true)]
[JsonSerializable(typeof(RedirectEntry))]
[JsonSerializable(typeof(Dictionary<string, RedirectEntry>))]
[JsonSerializable(typeof(ImportSummary))]
internal sealed partial class RedirectJsonContext : JsonSerializerContext;

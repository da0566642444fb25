using System.Text.Json.Serialization;

namespace Gateway.Caching;

/// <summary>What Strapi posts to a webhook: <c>{"event":"entry.update","model":"invoice","uid":"api::invoice.invoice","entry":{…}}</c>.</summary>
internal sealed record StrapiWebhookEvent(string? Event, string? Model, string? Uid);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(StrapiWebhookEvent))]
internal sealed partial class CachingJsonContext : JsonSerializerContext;

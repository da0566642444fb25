using System.Text.Json.Serialization;

namespace Gateway.Redirects;

/// <summary>One redirect: where to, 308 (permanent) or 307, and whether the request's query string goes along.</summary>
public sealed record RedirectEntry(
    [property: JsonPropertyName("destination")] string Destination,
    [property: JsonPropertyName("permanent")] bool Permanent,
    [property: JsonPropertyName("preserveQuery"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool? PreserveQuery = null)
{
    /// <summary>The query string is kept unless the entry says <c>"preserveQuery": false</c>.</summary>
    [JsonIgnore]
    public bool KeepsQuery => PreserveQuery ?? true;

    [JsonIgnore]
    public int StatusCode => Permanent ? StatusCodes.Status308PermanentRedirect : StatusCodes.Status307TemporaryRedirect;
}

namespace Gateway.Geo;

/// <summary>Geo rerouting: whose forwarded headers to trust, where countries come from, and where they send. Section <c>Geo</c>.</summary>
public sealed class GeoOptions
{
    public const string SectionName = "Geo";

    /// <summary>
    /// Proxies (IP addresses or CIDR networks) whose <c>X-Forwarded-For</c> and country header are believed. Empty: the
    /// client is the connection's address and no header is believed.
    /// </summary>
    public IList<string> TrustedProxies { get; } = [];

    /// <summary>A CDN's country header sent by a trusted proxy: <c>CF-IPCountry</c>, <c>x-vercel-ip-country</c>, <c>CloudFront-Viewer-Country</c>.</summary>
    public string? CountryHeader { get; set; }

    /// <summary>A country database in MaxMind format (relative to the content root); reloaded when the file changes.</summary>
    public string? DatabasePath { get; set; }

    /// <summary>An HTTP geo API in the shape of ip-api.com (<c>GET {BaseUrl}json/{ip}</c>); unset: not asked.</summary>
    public Uri? ApiBaseUrl { get; set; }

    /// <summary>How long a request may wait for the geo API before it is treated as unknown.</summary>
    public TimeSpan ApiTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long the geo API's answer for an address is kept in Redis.</summary>
    public TimeSpan ApiCacheTime { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// How many addresses' answers each gateway also keeps in memory (for <see cref="ApiCacheTime"/>, at most 10 minutes),
    /// so a returning client costs no Redis round trip. 0: none.
    /// </summary>
    public int ApiMemoryCacheSize { get; set; } = 100_000;

    /// <summary>After the geo API failed or hung, how long it is left alone: meanwhile unknown addresses are unknown.</summary>
    public TimeSpan ApiRetryAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Country (ISO 3166 alpha-2) → the path a client from there is sent to with 302.</summary>
    public IDictionary<string, string> Routes { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
}

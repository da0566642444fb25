namespace Gateway.Telemetry;

/// <summary>The names the outage log uses.</summary>
public static class Upstreams
{
    public const string Redis = "redis";
    public const string RateApi = "rate-api";
    public const string GeoApi = "geo-api";
}

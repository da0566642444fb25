using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Geo;

/// <summary>
/// An HTTP geo API in the shape of ip-api.com (<c>GET json/{ip}</c> → <c>{"status":"success","countryCode":"FR"}</c>),
/// asked within <see cref="GeoOptions.ApiTimeout"/>; its answers (unknown included) are kept in Redis for
/// <see cref="GeoOptions.ApiCacheTime"/>. A failure, a hang or Redis being away is an unknown country, never an error.
/// </summary>
internal sealed partial class GeoApiCountryResolver(
    IHttpClientFactory clients,
    IConnectionMultiplexer redis,
    IOptionsMonitor<GeoOptions> options,
    ILogger<GeoApiCountryResolver> logger) : ICountryResolver
{
    internal const string CachePrefix = "gateway:geo:";
    internal const string HttpClientName = "geo-api";
    private const string Unknown = "-";

    public string Name => "api";

    public async ValueTask<string?> ResolveAsync(HttpContext context, ClientAddress client, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(client);

        if (options.CurrentValue.ApiBaseUrl is null || !client.IsPublic)
        {
            return null;
        }

        var ip = ClientAddress.Canonical(client.Address).ToString();
        var cached = await ReadCacheAsync(ip);
        if (cached is not null)
        {
            return cached == Unknown ? null : cached;
        }

        var (answered, country) = await AskAsync(ip, cancel);
        if (answered)
        {
            await WriteCacheAsync(ip, country ?? Unknown);
        }

        return country;
    }

    /// <summary>(true, code-or-null) when the API answered; (false, null) when it failed, hung or made no sense.</summary>
    private async Task<(bool Answered, string? Country)> AskAsync(string ip, CancellationToken cancel)
    {
        try
        {
            var http = clients.CreateClient(HttpClientName);
            using var response = await http.GetAsync($"json/{Uri.EscapeDataString(ip)}?fields=status,countryCode", cancel);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                LogApiFailed(logger, ip, $"status {(int)response.StatusCode}");
                return (false, null);
            }

            await using var body = await response.Content.ReadAsStreamAsync(cancel);
            using var document = await JsonDocument.ParseAsync(body, cancellationToken: cancel);
            var root = document.RootElement;
            var success = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("status", out var status) && status.ValueEquals("success");
            var code = success && root.TryGetProperty("countryCode", out var value) && value.ValueKind == JsonValueKind.String
                ? CountryCode.Normalize(value.GetString())
                : null;
            return (true, code);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or IOException)
        {
            LogApiFailed(logger, ip, e.GetType().Name);
            return (false, null);
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            LogApiFailed(logger, ip, "timeout");
            return (false, null);
        }
    }

    private async Task<string?> ReadCacheAsync(string ip)
    {
        try
        {
            return redis.IsConnected ? (string?)await redis.GetDatabase().StringGetAsync(CachePrefix + ip) : null;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return null;
        }
    }

    private async Task WriteCacheAsync(string ip, string value)
    {
        try
        {
            if (redis.IsConnected)
            {
                await redis.GetDatabase().StringSetAsync(CachePrefix + ip, value, options.CurrentValue.ApiCacheTime);
            }
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            // Not cached this time: the next request asks the API again.
        }
    }

    [LoggerMessage(EventId = 7010, Level = LogLevel.Warning, Message = "Geo API did not answer for {Ip} ({Reason}): country unknown")]
    private static partial void LogApiFailed(ILogger logger, string ip, string reason);
}

using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Geo;

/// <summary>
/// An HTTP geo API in the shape of ip-api.com (<c>GET json/{ip}</c> → <c>{"status":"success","countryCode":"FR"}</c>),
/// asked within <see cref="GeoOptions.ApiTimeout"/>; its answers (unknown included) are kept in Redis for
/// <see cref="GeoOptions.ApiCacheTime"/>, shared by every gateway, and in memory for the addresses seen lately.
/// Requests for the same address at the same time share one lookup; after a failure the API is left alone for
/// <see cref="GeoOptions.ApiRetryAfter"/>. A failure, a hang or Redis being away is an unknown country, never an error.
/// </summary>
internal sealed partial class GeoApiCountryResolver : ICountryResolver, IDisposable
{
    internal const string CachePrefix = "gateway:geo:";
    internal const string HttpClientName = "geo-api";
    private const string Unknown = "-";
    private static readonly TimeSpan MemoryCacheTimeLimit = TimeSpan.FromMinutes(10);

    private readonly IHttpClientFactory _clients;
    private readonly IConnectionMultiplexer _redis;
    private readonly IOptionsMonitor<GeoOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<GeoApiCountryResolver> _logger;
    private readonly MemoryCache? _recent;
    private readonly ConcurrentDictionary<string, Task<string?>> _lookups = new(StringComparer.Ordinal);
    private long _restUntilTicks;

    public GeoApiCountryResolver(
        IHttpClientFactory clients,
        IConnectionMultiplexer redis,
        IOptionsMonitor<GeoOptions> options,
        TimeProvider time,
        ILogger<GeoApiCountryResolver> logger)
    {
        _clients = clients;
        _redis = redis;
        _options = options;
        _time = time;
        _logger = logger;
        var size = options.CurrentValue.ApiMemoryCacheSize;
        _recent = size > 0 ? new MemoryCache(new MemoryCacheOptions { SizeLimit = size }) : null;
    }

    public string Name => "api";

    public ValueTask<string?> ResolveAsync(HttpContext context, ClientAddress client, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(client);

        if (_options.CurrentValue.ApiBaseUrl is null || !client.IsPublic)
        {
            return ValueTask.FromResult<string?>(null);
        }

        var ip = ClientAddress.Canonical(client.Address).ToString();
        if (_recent is not null && _recent.TryGetValue(ip, out string? known))
        {
            return ValueTask.FromResult(CountryOf(known));
        }

        // One lookup per address at a time: a burst from a new client asks Redis and the API once, not once per request.
        var mine = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var shared = _lookups.GetOrAdd(ip, mine.Task);
        if (shared == mine.Task)
        {
            _ = LookUpAsync(ip, mine);
        }

        return new ValueTask<string?>(shared.WaitAsync(cancel));
    }

    public void Dispose() => _recent?.Dispose();

    private static string? CountryOf(string? stored) => stored is null or Unknown ? null : stored;

    /// <summary>Redis, then the API unless it is resting; completes <paramref name="lookup"/> with the country or null, never faults.</summary>
    private async Task LookUpAsync(string ip, TaskCompletionSource<string?> lookup)
    {
        string? stored = null;
        try
        {
            stored = await ReadCacheAsync(ip);
            if (stored is null && !Resting())
            {
                var (answered, country) = await AskAsync(ip);
                if (answered)
                {
                    stored = country ?? Unknown;
                    await WriteCacheAsync(ip, stored);
                }
                else
                {
                    Interlocked.Exchange(ref _restUntilTicks, (_time.GetUtcNow() + _options.CurrentValue.ApiRetryAfter).UtcTicks);
                }
            }

            if (stored is not null)
            {
                Remember(ip, stored);
            }
        }
        catch (Exception e)
        {
            // Nobody awaits this task: whatever it meets is logged here, and the requests waiting get "unknown".
            LogLookupFailed(_logger, ip, e);
        }
        finally
        {
            _lookups.TryRemove(new KeyValuePair<string, Task<string?>>(ip, lookup.Task));
            lookup.TrySetResult(CountryOf(stored));
        }
    }

    private bool Resting() => _time.GetUtcNow().UtcTicks < Interlocked.Read(ref _restUntilTicks);

    private void Remember(string ip, string stored)
    {
        if (_recent is null)
        {
            return;
        }

        var cacheTime = _options.CurrentValue.ApiCacheTime;
        _recent.Set(ip, stored, new MemoryCacheEntryOptions
        {
            Size = 1,
            AbsoluteExpirationRelativeToNow = cacheTime < MemoryCacheTimeLimit ? cacheTime : MemoryCacheTimeLimit,
        });
    }

    /// <summary>(true, code-or-null) when the API answered; (false, null) when it failed, hung or made no sense.</summary>
    private async Task<(bool Answered, string? Country)> AskAsync(string ip)
    {
        try
        {
            var http = _clients.CreateClient(HttpClientName);
            using var response = await http.GetAsync($"json/{Uri.EscapeDataString(ip)}?fields=status,countryCode");
            if (response.StatusCode != HttpStatusCode.OK)
            {
                LogApiFailed(_logger, ip, $"status {(int)response.StatusCode}", _options.CurrentValue.ApiRetryAfter);
                return (false, null);
            }

            await using var body = await response.Content.ReadAsStreamAsync();
            using var document = await JsonDocument.ParseAsync(body);
            var root = document.RootElement;
            var success = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("status", out var status) && status.ValueEquals("success");
            var code = success && root.TryGetProperty("countryCode", out var value) && value.ValueKind == JsonValueKind.String
                ? CountryCode.Normalize(value.GetString())
                : null;
            return (true, code);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or IOException)
        {
            LogApiFailed(_logger, ip, e.GetType().Name, _options.CurrentValue.ApiRetryAfter);
            return (false, null);
        }
        catch (OperationCanceledException)
        {
            // HttpClient.Timeout (Geo:ApiTimeout); no client's token reaches here, the lookup is shared.
            LogApiFailed(_logger, ip, "timeout", _options.CurrentValue.ApiRetryAfter);
            return (false, null);
        }
    }

    private async Task<string?> ReadCacheAsync(string ip)
    {
        try
        {
            return _redis.IsConnected ? (string?)await _redis.GetDatabase().StringGetAsync(CachePrefix + ip) : null;
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
            if (_redis.IsConnected)
            {
                await _redis.GetDatabase().StringSetAsync(CachePrefix + ip, value, _options.CurrentValue.ApiCacheTime);
            }
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            // Not cached this time: the next request asks the API again.
        }
    }

    [LoggerMessage(EventId = 7010, Level = LogLevel.Warning, Message = "Geo API did not answer for {Ip} ({Reason}): country unknown; not asked again for {RetryAfter}")]
    private static partial void LogApiFailed(ILogger logger, string ip, string reason, TimeSpan retryAfter);

    [LoggerMessage(EventId = 7011, Level = LogLevel.Error, Message = "Geo lookup for {Ip} failed unexpectedly: country unknown")]
    private static partial void LogLookupFailed(ILogger logger, string ip, Exception exception);
}

using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Polly.Timeout;
using StackExchange.Redis;

namespace Gateway.Currency;

/// <summary>
/// The rates, answered from an in-process copy so a request never waits on the rate API or on Redis while any rate exists.
/// When a rate is older than <see cref="CurrencyOptions.Freshness"/> the request that notices starts one refresh in the
/// background (one at a time, at most one per <see cref="CurrencyOptions.RetryInterval"/>): it takes the shared rates from
/// Redis if another replica fetched them lately, else asks the API and shares what it got. A failed refresh keeps the
/// last good rate (this process's, or Redis's after a restart). Only while a cold gateway's first refresh runs do requests
/// wait, at most <see cref="RateApiOptions.Timeout"/>; with no rate after that they get the configured fallback.
/// </summary>
internal sealed partial class ExchangeRateProvider : IExchangeRateProvider, IDisposable
{
    private readonly IOptionsMonitor<CurrencyOptions> options;
    private readonly IDistributedCache cache;
    private readonly IConnectionMultiplexer redis;
    private readonly IServiceScopeFactory scopes;
    private readonly TimeProvider time;
    private readonly ILogger<ExchangeRateProvider> logger;

    public ExchangeRateProvider(
        IOptionsMonitor<CurrencyOptions> options,
        IDistributedCache cache,
        IConnectionMultiplexer redis,
        IServiceScopeFactory scopes,
        TimeProvider time,
        CurrencyMetrics metrics,
        ILogger<ExchangeRateProvider> logger)
    {
        ArgumentNullException.ThrowIfNull(metrics);

        (this.options, this.cache, this.redis, this.scopes, this.time, this.logger) = (options, cache, redis, scopes, time, logger);
        metrics.TrackRateAge(RateAges);
    }

    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopping = new();
    private volatile FrozenDictionary<string, RateEntry> _rates = FrozenDictionary<string, RateEntry>.Empty;
    private volatile bool _refreshedOnce;
    private Task? _refresh;
    private DateTimeOffset _lastAttempt = DateTimeOffset.MinValue;

    /// <summary>The outlier last logged per currency, so one that keeps coming is logged once.</summary>
    private readonly ConcurrentDictionary<string, decimal> _outliers = new(StringComparer.OrdinalIgnoreCase);

    public async ValueTask<CurrencyQuote> GetRateAsync(string currency, CancellationToken cancel)
    {
        ArgumentException.ThrowIfNullOrEmpty(currency);

        var settings = options.CurrentValue;
        var now = time.GetUtcNow();
        if (_rates.TryGetValue(currency, out var entry))
        {
            if (!IsFresh(entry, now, settings))
            {
                _ = StartRefresh(now, settings);
            }

            return Quote(currency, entry, now, settings);
        }

        var refresh = StartRefresh(now, settings);
        if (!_refreshedOnce && refresh is not null)
        {
            try
            {
                await refresh.WaitAsync(settings.RateApi.Timeout, time, cancel);
            }
            catch (TimeoutException)
            {
                LogColdWaitOver(logger, settings.RateApi.Timeout);
            }

            if (_rates.TryGetValue(currency, out entry))
            {
                return Quote(currency, entry, time.GetUtcNow(), settings);
            }
        }

        settings.Fallback.TryGetValue(currency, out var fallback);
        return new CurrencyQuote(currency, fallback, RateSource.Fallback, null);
    }

    private IEnumerable<Measurement<double>> RateAges()
    {
        var now = time.GetUtcNow();
        foreach (var (currency, entry) in _rates)
        {
            yield return new Measurement<double>((now - entry.FetchedAt).TotalSeconds, new KeyValuePair<string, object?>("currency", currency));
        }
    }

    /// <summary>Stops a refresh under way. The token source is cancelled, not disposed, so a late request can still read it.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _stopping.Cancel();
        }
    }

    private static bool IsFresh(RateEntry entry, DateTimeOffset now, CurrencyOptions settings)
        => now - entry.FetchedAt < settings.Freshness;

    private static CurrencyQuote Quote(string currency, RateEntry entry, DateTimeOffset now, CurrencyOptions settings)
        => new(currency, entry.Rate, IsFresh(entry, now, settings) ? entry.Origin : RateSource.Stale, entry.AsOf);

    /// <summary>The refresh under way or just started; <c>null</c> when the last attempt was too recent to try again.</summary>
    private Task? StartRefresh(DateTimeOffset now, CurrencyOptions settings)
    {
        lock (_gate)
        {
            if (_refresh is { IsCompleted: false })
            {
                return _refresh;
            }

            if (now - _lastAttempt < settings.RetryInterval)
            {
                return null;
            }

            if (_stopping.IsCancellationRequested)
            {
                return null;
            }

            _lastAttempt = now;
            var stopping = _stopping.Token;
            _refresh = Task.Run(() => RefreshAsync(stopping), CancellationToken.None);
            return _refresh;
        }
    }

    private async Task RefreshAsync(CancellationToken stopping)
    {
        try
        {
            var settings = options.CurrentValue;
            var shared = await ReadSharedAsync(settings, stopping);
            if (shared is not null && IsCurrent(shared, settings))
            {
                Keep(shared, RateSource.Cached);
                LogFromShared(logger);
                return;
            }

            var fetched = await FetchAsync(settings, stopping);
            if (fetched is not null)
            {
                Keep(fetched, RateSource.Live);
                await WriteSharedAsync(settings, stopping);
                return;
            }

            if (shared is not null)
            {
                Keep(shared, RateSource.Cached);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
#pragma warning disable CA1031 // The background refresh is a callback boundary: log and keep the last good rate.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogRefreshFailed(logger, e);
        }
        finally
        {
            _refreshedOnce = true;
        }
    }

    private async Task<Dictionary<string, RateEntry>?> FetchAsync(CurrencyOptions settings, CancellationToken stopping)
    {
        ApiRates? answer;
        try
        {
            using var scope = scopes.CreateScope();
            var api = scope.ServiceProvider.GetRequiredService<ExchangeRateApiClient>();
            answer = await api.GetLatestAsync(settings.BaseCurrency, stopping);
        }
        catch (HttpRequestException e)
        {
            LogApiUnreachable(logger, e.HttpRequestError);
            return null;
        }
        catch (TimeoutRejectedException)
        {
            LogApiTimeout(logger, settings.RateApi.Timeout);
            return null;
        }
        catch (BrokenCircuitException)
        {
            LogApiResting(logger);
            return null;
        }

        if (answer is null)
        {
            return null;
        }

        var fetchedAt = time.GetUtcNow();
        var entries = new Dictionary<string, RateEntry>(StringComparer.OrdinalIgnoreCase);
        foreach (var currency in settings.Fallback.Keys)
        {
            if (answer.Rates.TryGetValue(currency, out var rate))
            {
                entries[currency] = new RateEntry(rate, answer.AsOf ?? fetchedAt, fetchedAt);
            }
            else
            {
                LogCurrencyMissing(logger, currency);
            }
        }

        return Plausible(entries, settings, "the exchange-rate API");
    }

    /// <summary>
    /// The entries whose rate is within the configured band (<see cref="CurrencyOptions.IsPlausible"/>), or null when none is.
    /// An outlier is logged when it first shows, not again while the same value keeps coming; a good rate clears that.
    /// </summary>
    private Dictionary<string, RateEntry>? Plausible(Dictionary<string, RateEntry> entries, CurrencyOptions settings, string source)
    {
        foreach (var (currency, entry) in entries)
        {
            if (settings.IsPlausible(currency, entry.Rate))
            {
                if (_outliers.TryRemove(currency, out _))
                {
                    LogOutlierOver(logger, currency, entry.Rate, source);
                }

                continue;
            }

            entries.Remove(currency);
            if (!_outliers.TryGetValue(currency, out var seen) || seen != entry.Rate)
            {
                _outliers[currency] = entry.Rate;
                LogOutlier(logger, currency, entry.Rate, source, settings.RateBand.Lowest, settings.RateBand.Highest);
            }
        }

        return entries.Count > 0 ? entries : null;
    }

    /// <summary>Takes every rate newer than the one held: a refresh that lacks a currency keeps that currency's last rate.</summary>
    private void Keep(Dictionary<string, RateEntry> incoming, RateSource origin)
    {
        var merged = new Dictionary<string, RateEntry>(_rates, StringComparer.OrdinalIgnoreCase);
        foreach (var (currency, entry) in incoming)
        {
            if (!merged.TryGetValue(currency, out var held) || entry.FetchedAt > held.FetchedAt)
            {
                merged[currency] = entry with { Origin = origin };
            }
        }

        _rates = merged.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    private bool IsCurrent(Dictionary<string, RateEntry> shared, CurrencyOptions settings)
    {
        var now = time.GetUtcNow();
        return settings.Fallback.Keys.All(currency => shared.TryGetValue(currency, out var entry) && IsFresh(entry, now, settings));
    }

    private async Task<Dictionary<string, RateEntry>?> ReadSharedAsync(CurrencyOptions settings, CancellationToken stopping)
    {
        // Disconnected, every command would queue until Redis's timeout: skip the shared copy at once.
        if (!redis.IsConnected)
        {
            LogSharedUnavailable(logger);
            return null;
        }

        try
        {
            var bytes = await cache.GetAsync(settings.CacheKey, stopping);
            var shared = bytes is null ? null : JsonSerializer.Deserialize(bytes, CurrencyJsonContext.Default.DictionaryStringRateEntry);
            return shared is null ? null : Plausible(new(shared, StringComparer.OrdinalIgnoreCase), settings, "Redis");
        }
        catch (RedisException e)
        {
            LogSharedFailed(logger, e.GetType().Name);
            return null;
        }
        catch (JsonException)
        {
            LogSharedUnreadable(logger, settings.CacheKey);
            return null;
        }
    }

    private async Task WriteSharedAsync(CurrencyOptions settings, CancellationToken stopping)
    {
        if (!redis.IsConnected)
        {
            LogSharedUnavailable(logger);
            return;
        }

        try
        {
            var rates = new Dictionary<string, RateEntry>(_rates, StringComparer.OrdinalIgnoreCase);
            var bytes = JsonSerializer.SerializeToUtf8Bytes(rates, CurrencyJsonContext.Default.DictionaryStringRateEntry);
            await cache.SetAsync(settings.CacheKey, bytes,
                new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = settings.CacheLifetime }, stopping);
        }
        catch (RedisException e)
        {
            LogSharedFailed(logger, e.GetType().Name);
        }
    }

    [LoggerMessage(EventId = 6010, Level = LogLevel.Warning, Message = "The exchange-rate API could not be reached ({Error}); the last good rate stays")]
    private static partial void LogApiUnreachable(ILogger logger, HttpRequestError error);

    [LoggerMessage(EventId = 6011, Level = LogLevel.Warning, Message = "The exchange-rate API did not answer within {Timeout}; the last good rate stays")]
    private static partial void LogApiTimeout(ILogger logger, TimeSpan timeout);

    [LoggerMessage(EventId = 6012, Level = LogLevel.Warning, Message = "The exchange-rate API has no rate for {Currency}; its last good rate stays")]
    private static partial void LogCurrencyMissing(ILogger logger, string currency);

    [LoggerMessage(EventId = 6013, Level = LogLevel.Error, Message = "Refreshing the exchange rates failed; the last good rate stays")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 6014, Level = LogLevel.Debug, Message = "Took current exchange rates from the shared cache")]
    private static partial void LogFromShared(ILogger logger);

    [LoggerMessage(EventId = 6015, Level = LogLevel.Debug, Message = "Redis is not connected: exchange rates are kept in process only")]
    private static partial void LogSharedUnavailable(ILogger logger);

    [LoggerMessage(EventId = 6016, Level = LogLevel.Warning, Message = "The shared exchange-rate cache failed ({Error}): rates are kept in process only")]
    private static partial void LogSharedFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 6017, Level = LogLevel.Warning, Message = "The shared exchange rates at {Key} are unreadable and are ignored")]
    private static partial void LogSharedUnreadable(ILogger logger, string key);

    [LoggerMessage(EventId = 6021, Level = LogLevel.Debug, Message = "The exchange-rate API failed lately and is left alone for now (circuit open); the last good rate stays")]
    private static partial void LogApiResting(ILogger logger);

    [LoggerMessage(EventId = 6019, Level = LogLevel.Warning,
        Message = "{Source} gave {Currency} a rate of {Rate}, outside {Lowest}–{Highest} × its fallback: not used, the last good rate stays")]
    private static partial void LogOutlier(ILogger logger, string currency, decimal rate, string source, decimal lowest, decimal highest);

    [LoggerMessage(EventId = 6020, Level = LogLevel.Information, Message = "{Source} gives {Currency} a plausible rate again ({Rate})")]
    private static partial void LogOutlierOver(ILogger logger, string currency, decimal rate, string source);

    [LoggerMessage(EventId = 6018, Level = LogLevel.Warning, Message = "No exchange rate within {Timeout} of a cold start: answering with the fallback")]
    private static partial void LogColdWaitOver(ILogger logger, TimeSpan timeout);
}

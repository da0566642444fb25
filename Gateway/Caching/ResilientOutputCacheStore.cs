using System.Collections.Concurrent;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Caching;

/// <summary>
/// The Redis output-cache store, made safe to lose: while Redis is down or slow (past
/// <see cref="ResponseCacheOptions.RedisTimeout"/>) reads are misses and writes are dropped, so requests go to Strapi and
/// nothing fails; after a failure Redis is left alone for <see cref="ResponseCacheOptions.RetryAfter"/>. An outage is
/// logged when it starts and when it ends, with the number of requests that went without the cache meanwhile.
/// An eviction that cannot reach Redis is kept and done first when Redis is back; until then nothing is served from the
/// cache, so an answer older than a write made during the outage is never served.
/// </summary>
internal sealed partial class ResilientOutputCacheStore(
    IOutputCacheStore inner,
    IConnectionMultiplexer redis,
    IOptionsMonitor<ResponseCacheOptions> options,
    TimeProvider time,
    ILogger<ResilientOutputCacheStore> logger) : IOutputCacheStore, IDisposable
{
    private readonly ConcurrentDictionary<string, byte> _pendingEvictions = new(StringComparer.Ordinal);
    private readonly Lock _outageLock = new();
    private long _pausedUntil;
    private long _outageStarted;
    private bool _inOutage;
    private long _bypassed;

    public async ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken)
        => await ReadyAsync(cancellationToken) ? await RunAsync(() => inner.GetAsync(key, cancellationToken), null, cancellationToken) : null;

    public async ValueTask SetAsync(string key, byte[] value, string[]? tags, TimeSpan validFor, CancellationToken cancellationToken)
    {
        if (await ReadyAsync(cancellationToken))
        {
            await RunAsync(async () =>
            {
                await inner.SetAsync(key, value, tags, validFor, cancellationToken);
                return true;
            }, false, cancellationToken);
        }
    }

    public async ValueTask EvictByTagAsync(string tag, CancellationToken cancellationToken)
    {
        _pendingEvictions[tag] = 0;
        await FlushEvictionsAsync(cancellationToken);
    }

    public void Dispose() => (inner as IDisposable)?.Dispose();

    /// <summary>Whether the cache may be used now: Redis connected, not paused, and no eviction left to do.</summary>
    private async ValueTask<bool> ReadyAsync(CancellationToken cancel)
    {
        if (Available())
        {
            return _pendingEvictions.IsEmpty || await FlushEvictionsAsync(cancel);
        }

        Interlocked.Increment(ref _bypassed);
        return false;
    }

    private async ValueTask<bool> FlushEvictionsAsync(CancellationToken cancel)
    {
        foreach (var tag in _pendingEvictions.Keys)
        {
            if (!Available())
            {
                return false;
            }

            var evicted = await RunAsync(async () =>
            {
                await inner.EvictByTagAsync(tag, cancel);
                return true;
            }, false, cancel);
            if (!evicted)
            {
                return false;
            }

            _pendingEvictions.TryRemove(tag, out _);
        }

        return _pendingEvictions.IsEmpty;
    }

    private bool Available()
    {
        if (!redis.IsConnected)
        {
            OutageStarted("not connected");
            return false;
        }

        return time.GetTimestamp() >= Interlocked.Read(ref _pausedUntil);
    }

    private async ValueTask<T> RunAsync<T>(Func<ValueTask<T>> operation, T fallback, CancellationToken cancel)
    {
        try
        {
            var result = await operation().AsTask().WaitAsync(options.CurrentValue.RedisTimeout, time, cancel);
            OutageEnded();
            return result;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            var pause = options.CurrentValue.RetryAfter;
            Interlocked.Exchange(ref _pausedUntil, time.GetTimestamp() + (long)(pause.TotalSeconds * time.TimestampFrequency));
            OutageStarted(e is TimeoutException ? "timed out" : e.GetType().Name);
            return fallback;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            return fallback;
        }
    }

    private void OutageStarted(string reason)
    {
        lock (_outageLock)
        {
            if (_inOutage)
            {
                return;
            }

            _inOutage = true;
            _outageStarted = time.GetTimestamp();
            Interlocked.Exchange(ref _bypassed, 0);
        }

        LogOutage(logger, reason, options.CurrentValue.RetryAfter);
    }

    private void OutageEnded()
    {
        if (!Volatile.Read(ref _inOutage))
        {
            return;
        }

        lock (_outageLock)
        {
            if (!_inOutage)
            {
                return;
            }

            _inOutage = false;
        }

        var duration = time.GetElapsedTime(_outageStarted);
        var bypassed = Interlocked.Read(ref _bypassed);
        LogRecovered(logger, duration, bypassed);
    }

    [LoggerMessage(EventId = 11010, Level = LogLevel.Warning,
        Message = "Response cache skipped: Redis {Reason}; reads go to Strapi, Redis tried again every {RetryAfter}")]
    private static partial void LogOutage(ILogger logger, string reason, TimeSpan retryAfter);

    [LoggerMessage(EventId = 11011, Level = LogLevel.Information,
        Message = "Response cache back after {Duration}; {Bypassed} cache operations skipped meanwhile")]
    private static partial void LogRecovered(ILogger logger, TimeSpan duration, long bypassed);
}

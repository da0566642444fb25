using System.Collections.Concurrent;
using Gateway.Caching.Stale;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Caching;

/// <summary>
/// The Redis output-cache store, with a short-lived copy in memory in front of it (<see cref="ResponseCacheOptions.MemoryLifetime"/>,
/// so a hit usually costs no Redis round trip), and made safe to lose.
/// Memory: used only while this replica hears evictions (<see cref="CacheEvictionSignal"/>), emptied at each one, and never
/// filled with an entry read or written across an eviction.
/// Redis: while Redis is down or slow (past
/// <see cref="ResponseCacheOptions.RedisTimeout"/>) reads are misses and writes are dropped, so requests go to Strapi and
/// nothing fails; after a failure Redis is left alone for <see cref="ResponseCacheOptions.RetryAfter"/>. An outage is
/// logged when it starts and when it ends, with the number of requests that went without the cache meanwhile.
/// An eviction that cannot reach Redis is kept and tried again in the background every
/// <see cref="ResponseCacheOptions.EvictionRetry"/> until Redis takes it (not on the next read); until then nothing is served
/// from the cache here, so an answer older than a write made during the outage is never served by this replica.
/// A miss takes the fleet-wide lease on its key (<see cref="FleetSingleFlight"/>); a store must pass <see cref="CacheAdmission"/>.
/// </summary>
internal sealed partial class ResilientOutputCacheStore(
    IOutputCacheStore inner,
    ResponseCacheRedis redis,
    CacheEvictionSignal signal,
    FleetSingleFlight flight,
    CacheAdmission admission,
    StaleCopies staleCopies,
    CacheRequest http,
    CacheMetrics metrics,
    IOptionsMonitor<ResponseCacheOptions> options,
    TimeProvider time,
    ILogger<ResilientOutputCacheStore> logger) : IOutputCacheStore, IDisposable
{
    private readonly MemoryCache _memory = EmptiedOnEviction(signal, new MemoryCache(new MemoryCacheOptions { SizeLimit = options.CurrentValue.MemoryBytes }));
    private readonly ConcurrentDictionary<string, byte> _pendingEvictions = new(StringComparer.Ordinal);
    private readonly Lock _outageLock = new();
    private long _pausedUntil;
    private long _outageStarted;
    private bool _inOutage;
    private long _bypassed;
    private int _retrying;
    private readonly CancellationTokenSource _disposed = new();

    public async ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken)
    {
        if (signal.Listening && _memory.TryGetValue(key, out byte[]? held))
        {
            return held;
        }

        if (!await ReadyAsync(cancellationToken))
        {
            return null;
        }

        var generation = signal.Generation;
        var value = await RunAsync(() => inner.GetAsync(key, cancellationToken), null, cancellationToken);
        if (value is null && flight.Enabled && Available())
        {
            // Each of its Redis calls is bounded by RedisTimeout; the wait as a whole by LeaseWait.
            value = await RunAsync(() => flight.AwaitAsync(key, cancellationToken), null, cancellationToken, Timeout.InfiniteTimeSpan);
        }

        Remember(key, value, generation);
        return value;
    }

    public async ValueTask SetAsync(string key, byte[] value, string[]? tags, TimeSpan validFor, CancellationToken cancellationToken)
    {
        if (await ReadyAsync(cancellationToken))
        {
            var generation = signal.Generation;
            var stored = await RunAsync(async () =>
            {
                if (!await admission.AdmitAsync(key, tags, cancellationToken))
                {
                    return false;
                }

                await inner.SetAsync(key, value, tags, validFor, cancellationToken);
                admission.KeepTagsExpiring(tags, validFor);
                staleCopies.KeepOffered(http.HttpContext);
                return true;
            }, false, cancellationToken);
            Remember(key, stored ? value : null, generation);
        }

        flight.Release(key);
    }

    public async ValueTask EvictByTagAsync(string tag, CancellationToken cancellationToken)
    {
        signal.Raise();
        _pendingEvictions[tag] = 0;
        if (!await FlushEvictionsAsync(cancellationToken))
        {
            RetryInBackground();
        }
    }

    public void Dispose()
    {
        _disposed.Cancel();
        signal.Evicted -= _memory.Clear;
        _memory.Dispose();
        (inner as IDisposable)?.Dispose();
    }

    private static MemoryCache EmptiedOnEviction(CacheEvictionSignal signal, MemoryCache memory)
    {
        signal.Evicted += memory.Clear;
        return memory;
    }

    /// <summary>Keeps an entry in memory, unless an eviction came (here or on another replica) since it was read or written.</summary>
    private void Remember(string key, byte[]? value, long generation)
    {
        var lifetime = options.CurrentValue.MemoryLifetime;
        if (value is null || lifetime <= TimeSpan.Zero || !signal.Listening || generation != signal.Generation)
        {
            return;
        }

        _memory.Set(key, value, new MemoryCacheEntryOptions { Size = value.Length, AbsoluteExpirationRelativeToNow = lifetime });

        // An eviction between the check above and the Set: the entry goes again.
        if (generation != signal.Generation)
        {
            _memory.Remove(key);
        }
    }

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
                await signal.PublishAsync();
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

    /// <summary>Evictions left pending are tried again until Redis takes them: one loop at a time, started by the first left.</summary>
    private void RetryInBackground()
    {
        if (Interlocked.CompareExchange(ref _retrying, 1, 0) == 0)
        {
            _ = Task.Run(RetryEvictionsAsync);
        }
    }

    private async Task RetryEvictionsAsync()
    {
        var cancel = _disposed.Token;
        try
        {
            while (!_pendingEvictions.IsEmpty && !cancel.IsCancellationRequested)
            {
                await Task.Delay(options.CurrentValue.EvictionRetry, time, cancel);
                if (!redis.Connection.IsConnected)
                {
                    continue;
                }

                try
                {
                    // Not cut short by RedisTimeout nor held back by RetryAfter: an attempt sent while Redis hangs is the
                    // one it answers first when it is back (the client's own timeout bounds it).
                    await DeliverPendingAsync(cancel);
                    OutageEnded();
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancel.IsCancellationRequested)
                {
                    // Still away: the outage is logged once by the read and write path; tried again after the delay.
                }
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // The app is stopping.
        }
        finally
        {
            Volatile.Write(ref _retrying, 0);
        }

        if (!_pendingEvictions.IsEmpty && !cancel.IsCancellationRequested)
        {
            RetryInBackground();
        }
    }

    private async Task DeliverPendingAsync(CancellationToken cancel)
    {
        foreach (var tag in _pendingEvictions.Keys)
        {
            await inner.EvictByTagAsync(tag, cancel);
            await signal.PublishAsync();
            _pendingEvictions.TryRemove(tag, out _);
        }
    }

    private bool Available()
    {
        if (!redis.Connection.IsConnected)
        {
            OutageStarted("not connected");
            return false;
        }

        return time.GetTimestamp() >= Interlocked.Read(ref _pausedUntil);
    }

    private async ValueTask<T> RunAsync<T>(Func<ValueTask<T>> operation, T fallback, CancellationToken cancel, TimeSpan? limit = null)
    {
        try
        {
            var result = await operation().AsTask().WaitAsync(limit ?? options.CurrentValue.RedisTimeout, time, cancel);
            OutageEnded();
            return result;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            return fallback;
        }
        catch (RedisServerException e) when (e.Message.StartsWith("OOM", StringComparison.Ordinal))
        {
            // Redis full (noeviction): not an outage, this answer is just not kept.
            metrics.NotStored("redis-full", "");
            return fallback;
        }
        catch (Exception e)
        {
            // Not only RedisException and timeouts: a command pending on a connection StackExchange.Redis tears down
            // (e.g. a dead socket while Redis hangs) fails with the pipe's InvalidOperationException ("Reading is not
            // allowed after reader was completed") or a TaskCanceledException; either is Redis trouble too, never a
            // request's error.
            var pause = options.CurrentValue.RetryAfter;
            Interlocked.Exchange(ref _pausedUntil, time.GetTimestamp() + (long)(pause.TotalSeconds * time.TimestampFrequency));
            OutageStarted(e is TimeoutException ? "timed out" : e.GetType().Name);
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

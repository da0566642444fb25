using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Redirects;

/// <summary>
/// Keeps <see cref="RedirectSnapshot"/> in step with Redis. A full load at start and at every reconnection (edits made
/// while the gateway was cut off are not lost); in between, Redis keyspace notifications name each key that changed,
/// and only that key is read again (by one reader, in batches, so the last edit of a key is the one that stays).
/// Every <see cref="RedirectOptions.ResyncInterval"/> a check reads the whole table and compares its content with the
/// table served (entry by entry, not the count), replacing a table that differs; notifications switched off, a changed
/// key that could not be read, or a server that refuses CONFIG, mean a full load too. A loss of Redis's data (FLUSHALL, FLUSHDB, a restart without persistence), which
/// no notification tells either, is watched for every <see cref="RedirectOptions.LossCheckInterval"/> (this gateway's
/// marker key gone) and reloads the table at once. While Redis is away the last table keeps being served.
/// A Redis behind the version of the table a replica holds (lost, or an older copy) gets that table written back
/// (RedirectSync.WriteBack.cs). <see cref="RedirectOptions.SeedFile"/> is imported by whichever gateway first finds the
/// table empty in a Redis that has no <see cref="RedisRedirectStore.SeededKey"/> while no replica holds a table (a new
/// Redis, or every replica restarted after a loss); never when ops emptied the table with DEL.
/// </summary>
internal sealed partial class RedirectSync(
    IConnectionMultiplexer redis,
    RedisRedirectStore store,
    RedirectLoader loader,
    RedirectImporter importer,
    RedirectImportLease leases,
    RedirectSnapshot snapshot,
    IOptionsMonitor<RedirectOptions> options,
    IHostEnvironment environment,
    TimeProvider time,
    ILogger<RedirectSync> logger) : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);
    private const int MaxReadBatch = 1000;
    private readonly SemaphoreSlim _resyncWanted = new(0, 1);
    private readonly Channel<string> _changed = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentQueue<string> _changedDuringLoad = new();
    private readonly string _markerId = Guid.NewGuid().ToString("N");
    private volatile bool _loading;
    private volatile bool _missed;
    private volatile bool _lost;
    private bool _failing;
    private bool _subscribed;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        redis.ConnectionRestored += OnConnectionRestored;
        redis.ConfigurationChanged += OnConfigurationChanged;
        var reading = ReadChangesAsync(stoppingToken);
        var watching = WatchForLossAsync(stoppingToken);
        try
        {
            var full = true;
            while (!stoppingToken.IsCancellationRequested)
            {
                bool synced;
                try
                {
                    synced = full ? await TryResyncAsync(stoppingToken) : await TryCheckAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The loop outlives whatever it meets; the table being served stays as it was.
                    LogUnexpected(logger, e);
                    synced = false;
                }

                // A reconnection, or a failure (nothing is known of what happened meanwhile), means a full load next.
                var reconnected = await _resyncWanted.WaitAsync(synced ? options.CurrentValue.ResyncInterval : RetryDelay, stoppingToken);
                full = reconnected || !synced;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            redis.ConnectionRestored -= OnConnectionRestored;
            redis.ConfigurationChanged -= OnConfigurationChanged;
            _changed.Writer.TryComplete();
            await reading;
            await watching;
        }
    }

    /// <summary>
    /// Every <see cref="RedirectOptions.LossCheckInterval"/>, one EXISTS of this gateway's marker key, set before each
    /// full load: gone means the database lost its data, and the table is reloaded at once. Redis unreachable is the
    /// reconnection's business, not this loop's.
    /// </summary>
    private async Task WatchForLossAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(options.CurrentValue.LossCheckInterval, time, stoppingToken);
                if (snapshot.SyncedAt is null || _loading || _lost)
                {
                    continue;
                }

                try
                {
                    if (!await store.Database.KeyExistsAsync(Marker))
                    {
                        _lost = true;
                        LogDataLost(logger, snapshot.Current.Count);
                        WantResync();
                    }
                }
                catch (Exception e) when (e is RedisException or TimeoutException)
                {
                    // Redis away: the reconnection resyncs.
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void WantResync()
    {
        if (_resyncWanted.CurrentCount == 0)
        {
            try
            {
                _resyncWanted.Release();
            }
            catch (SemaphoreFullException)
            {
                // Wanted twice at once: one resync is enough.
            }
        }
    }

    /// <summary>
    /// Either connection coming back means a resync: while the commands connection was away nothing could be read,
    /// and while the pub/sub connection was away (Redis drops it alone when a subscriber falls behind its
    /// client-output-buffer-limit) notifications were lost.
    /// </summary>
    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType is ConnectionType.Interactive or ConnectionType.Subscription)
        {
            LogReconnected(logger, e.ConnectionType);
            WantResync();
        }
    }

    /// <summary>A primary changed (a Sentinel failover): a resync turns notifications on there and moves the subscription.</summary>
    private void OnConfigurationChanged(object? sender, EndPointEventArgs e)
    {
        var where = e.EndPoint?.ToString();
        LogConfigurationChanged(logger, where);
        WantResync();
    }

    /// <summary>This gateway's marker key (<c>gateway:redirect-sync:&lt;id&gt;</c>): set before each full load, so a flush removes it.</summary>
    private RedisKey Marker => store.SideKey("sync:" + _markerId);

    /// <summary>Outlives a few missed checks, so a marker gone means the database lost it, not that this gateway was slow.</summary>
    private TimeSpan MarkerLifetime => (options.CurrentValue.ResyncInterval * 3) + TimeSpan.FromMinutes(1);

    /// <summary>Whether anything may have been missed since the last full load; if so, loads the table again.</summary>
    private async Task<bool> TryCheckAsync(CancellationToken cancel)
    {
        string? reason;
        try
        {
            reason = !await EnableNotificationsAsync() ? "keyspace notifications were off or cannot be checked"
                : _missed ? "a changed entry could not be read"
                : !await store.Database.StringSetAsync(Marker, "1", MarkerLifetime, When.Exists) ? "its marker key is gone: FLUSHDB, FLUSHALL or eviction"
                : null;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return await TryResyncAsync(cancel);
        }

        if (reason is not null)
        {
            LogCheckFailed(logger, reason);
            return await TryResyncAsync(cancel);
        }

        // Nothing missed that notifications could tell: the content itself is compared, a full read of Redis, and a
        // table that differs (an edit lost on the way, whatever the cause) is replaced by Redis's.
        return await TryResyncAsync(cancel, compare: true);
    }

    private async Task<bool> TryResyncAsync(CancellationToken cancel, bool compare = false)
    {
        try
        {
            await EnableNotificationsAsync();
            await SubscribeAsync();

            // Set before the load: a flush from here on removes it, and the next check sees that.
            await store.Database.StringSetAsync(Marker, "1", MarkerLifetime);
            _missed = false;
            _loading = true;
            var started = time.GetTimestamp();

            // Redis behind the table held here (lost, or an older copy restored): written back before anything is read.
            string? restored = null;
            var inRedis = await store.GetVersionAsync();
            if (snapshot.SyncedAt is not null && Version > inRedis)
            {
                var (proceed, note) = await WriteBackAsync(Version, cancel);
                if (!proceed)
                {
                    _loading = false;
                    return false;
                }

                // What was heard meanwhile is in the load below.
                _changedDuringLoad.Clear();
                restored = note;
                inRedis = await store.GetVersionAsync();
            }

            var table = await loader.LoadAsync(cancel);
            if (snapshot.SyncedAt is not null && Version > await store.GetVersionAsync())
            {
                // Redis lost the table while it was being read (the flush fell between the version read and the load):
                // what was read is not the table; the next resync, at once, writes the one held here back.
                _loading = false;
                _lost = true;
                WantResync();
                return false;
            }

            string? seeded = null;
            if (table.Count == 0 && restored is null)
            {
                if (snapshot.SyncedAt is null && await AwaitingWriteBackAsync())
                {
                    _loading = false;
                    return false;
                }

                seeded = await SeedAsync(cancel);
                if (seeded is not null)
                {
                    // A seeded table is version 1: any replica that held an edited table is ahead of it and writes back.
                    await store.Database.StringSetAsync(store.VersionKey, 1, when: When.NotExists);
                    inRedis = await store.GetVersionAsync();
                    table = await loader.LoadAsync(cancel);
                }
            }
            else if (table.Count > 0)
            {
                // The table has held entries: emptying it later (DEL) is ops' doing, and brings no seed back.
                await store.Database.StringSetAsync(store.SeededKey, "entries found " + time.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture), when: When.NotExists);
                if (inRedis == 0)
                {
                    // A table from before versions (or typed in by hand): it starts at 1, so a loss is told from no table.
                    await store.Database.StringSetAsync(store.VersionKey, 1, when: When.NotExists);
                    inRedis = await store.GetVersionAsync();
                }
            }

            var compared = compare && _changedDuringLoad.IsEmpty;
            var differed = compared && !table.SameContent(snapshot.Current);
            if (differed)
            {
                LogRepaired(logger, snapshot.Current.Count, table.Count);
            }

            Interlocked.Exchange(ref _version, inRedis);
            if (compared && !differed)
            {
                // The table served is Redis's, entry for entry: kept as it is.
                snapshot.Confirm(time.GetUtcNow());
                _loading = false;
                while (_changedDuringLoad.TryDequeue(out var heard))
                {
                    _changed.Writer.TryWrite(heard);
                }

                LogChecked(logger, table.Count);
                _failing = false;
                return true;
            }

            var lost = _lost;
            snapshot.Replace(table, time.GetUtcNow(), restored
                ?? (lost ? $"reloaded {time.GetUtcNow():HH:mm:ss} after Redis lost its data{(seeded is null ? "" : "; " + seeded)}" : null)
                ?? (differed ? $"repaired {time.GetUtcNow():HH:mm:ss}: differed from Redis in content" : null)
                ?? seeded ?? snapshot.Note);
            _writeBackWaits = 0;
            _waitLogged = false;
            _lost = false;
            _loading = false;
            while (_changedDuringLoad.TryDequeue(out var key))
            {
                _changed.Writer.TryWrite(key);
            }

            var elapsed = time.GetElapsedTime(started);
            LogLoaded(logger, table.Count, elapsed.TotalMilliseconds);
            await ListenAsHolderAsync();
            _failing = false;
            return true;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            _loading = false;
            if (!_failing)
            {
                // Once per outage: the retries every couple of seconds stay quiet until a load succeeds again.
                _failing = true;
                var served = snapshot.Current.Count;
                LogResyncFailed(logger, served, e.GetType().Name);
            }

            return false;
        }
    }

    public override void Dispose()
    {
        _resyncWanted.Dispose();
        base.Dispose();
    }
}

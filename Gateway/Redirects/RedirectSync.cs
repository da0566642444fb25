using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Redirects;

/// <summary>
/// Keeps <see cref="RedirectSnapshot"/> in step with Redis. A full load at start and at every reconnection (edits made
/// while the gateway was cut off are not lost); in between, Redis keyspace notifications name each key that changed,
/// and only that key is read again (by one reader, in batches, so the last edit of a key is the one that stays).
/// Every <see cref="RedirectOptions.ResyncInterval"/> a check costing two round trips looks for what notifications
/// cannot tell: notifications switched off, or a changed key that could not be read; any of them, or a server that
/// refuses CONFIG, means a full load. A loss of Redis's data (FLUSHALL, FLUSHDB, a restart without persistence), which
/// no notification tells either, is watched for every <see cref="RedirectOptions.LossCheckInterval"/> (this gateway's
/// marker key gone) and reloads the table at once. While Redis is away the last table keeps being served.
/// <see cref="RedirectOptions.SeedFile"/> is imported by whichever gateway first finds the table empty in a Redis that
/// has no <see cref="RedisRedirectStore.SeededKey"/> (a new or wiped Redis); never when ops emptied the table with DEL.
/// The rule depends on what Redis holds only, so every replica reaches the same table whatever its own history.
/// </summary>
internal sealed partial class RedirectSync(
    IConnectionMultiplexer redis,
    RedisRedirectStore store,
    RedirectLoader loader,
    RedirectImporter importer,
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

    private RedisChannel KeyspaceChannel => RedisChannel.Pattern($"__keyspace@{store.Database.Database}__:{store.Prefix}*");

    private async Task SubscribeAsync()
    {
        var subscriber = redis.GetSubscriber();
        if (_subscribed)
        {
            // After a Sentinel failover that keeps the old primary up (SENTINEL FAILOVER, a maintenance switch) the
            // client leaves the subscription on it, a replica now, where the edits made on the new primary are never
            // heard: it is moved to the primary.
            var endpoint = subscriber.SubscribedEndpoint(KeyspaceChannel);
            if (endpoint is null || !redis.GetServer(endpoint).IsReplica)
            {
                return;
            }

            LogSubscriptionMoved(logger, endpoint.ToString()!);
            await subscriber.UnsubscribeAsync(KeyspaceChannel);
        }

        // Subscribed before the first load, so no edit falls between the two; the client re-subscribes by itself
        // after a reconnection.
        await subscriber.SubscribeAsync(KeyspaceChannel, (name, _) => OnKeyChanged(name));
        _subscribed = true;
    }

    /// <summary>A pub/sub callback: never throws, whatever happens.</summary>
    private void OnKeyChanged(RedisChannel channel)
    {
        var name = channel.ToString();
        var at = name.IndexOf(store.Prefix, StringComparison.Ordinal);
        if (at < 0)
        {
            return;
        }

        var key = name[(at + store.Prefix.Length)..];
        if (_loading)
        {
            _changedDuringLoad.Enqueue(key);
            return;
        }

        _changed.Writer.TryWrite(key);
    }

    /// <summary>
    /// The one reader of changed keys: takes whatever has queued up (a burst of edits is read in batches of
    /// <see cref="MaxReadBatch"/>, a key named twice once), reads them in one MGET issued after their notifications, and
    /// applies the batch before reading the next. So a key's last edit is never overwritten by an older read, as it
    /// could be if each notification's read raced the others.
    /// </summary>
    private async Task ReadChangesAsync(CancellationToken stoppingToken)
    {
        var keys = new List<string>(MaxReadBatch);
        var named = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            while (await _changed.Reader.WaitToReadAsync(stoppingToken))
            {
                keys.Clear();
                named.Clear();
                while (keys.Count < MaxReadBatch && _changed.Reader.TryRead(out var key))
                {
                    if (named.Add(key))
                    {
                        keys.Add(key);
                    }
                }

                try
                {
                    await RefreshAsync(keys);
                }
                catch (Exception e) when (e is RedisException or TimeoutException)
                {
                    // The next check sees this and loads the whole table.
                    _missed = true;
                    LogRefreshFailed(logger, keys.Count, keys[0], e.GetType().Name);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The reader outlives whatever it meets; the next check reloads what this batch did not apply.
                    _missed = true;
                    LogUnexpected(logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task RefreshAsync(List<string> keys)
    {
        var values = await store.GetRawAsync(keys);
        var edits = new KeyValuePair<string, RedirectEntry?>[keys.Count];
        for (var i = 0; i < keys.Count; i++)
        {
            var entry = loader.Accept(keys[i], values[i]);
            edits[i] = new(keys[i], entry);
            LogRefreshed(logger, keys[i], entry is not null);
        }

        snapshot.Apply(edits);
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

        snapshot.Confirm(time.GetUtcNow());
        LogChecked(logger, snapshot.Current.Count);
        return true;
    }

    private async Task<bool> TryResyncAsync(CancellationToken cancel)
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
            var table = await loader.LoadAsync(cancel);
            string? seeded = null;
            if (table.Count == 0)
            {
                seeded = await SeedAsync(cancel);
                if (seeded is not null)
                {
                    table = await loader.LoadAsync(cancel);
                }
            }
            else
            {
                // The table has held entries: emptying it later (DEL) is ops' doing, and brings no seed back.
                await store.Database.StringSetAsync(store.SeededKey, "entries found " + time.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture), when: When.NotExists);
            }

            var lost = _lost;
            snapshot.Replace(table, time.GetUtcNow(), lost
                ? $"reloaded {time.GetUtcNow():HH:mm:ss} after Redis lost its data{(seeded is null ? "" : "; " + seeded)}"
                : seeded ?? snapshot.Note);
            _lost = false;
            _loading = false;
            while (_changedDuringLoad.TryDequeue(out var key))
            {
                _changed.Writer.TryWrite(key);
            }

            var elapsed = time.GetElapsedTime(started);
            LogLoaded(logger, table.Count, elapsed.TotalMilliseconds);
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

    /// <summary>
    /// Imports the seed file into an empty table when Redis has no record of a table (<see cref="RedisRedirectStore.SeededKey"/>):
    /// the gateway that sets that key first imports; the others see its entries arrive as edits. What happened, in a
    /// few words for /readyz, or null when nothing was imported.
    /// </summary>
    private async Task<string?> SeedAsync(CancellationToken cancel)
    {
        var file = options.CurrentValue.SeedFile;
        if (string.IsNullOrWhiteSpace(file))
        {
            return null;
        }

        var claim = $"{file} imported {time.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture)} by {Environment.MachineName}/{_markerId}";
        if (!await store.Database.StringSetAsync(store.SeededKey, claim, when: When.NotExists))
        {
            string seededKey = store.SeededKey!;
            LogNotReseeded(logger, seededKey);
            return null;
        }

        var path = Path.GetFullPath(file, environment.ContentRootPath);
        if (!File.Exists(path))
        {
            path = Path.GetFullPath(Path.Combine(environment.ContentRootPath, "..", file));
        }

        if (!File.Exists(path))
        {
            LogNoSeed(logger, file);
            return null;
        }

        try
        {
            var result = await importer.ImportAsync(await RedirectSeedFile.ReadAsync(path, cancel), ImportMode.Seed, cancel);
            foreach (var problem in result.Problems)
            {
                LogSeedProblem(logger, path, problem);
            }

            LogSeeded(logger, result.Written, path);
            return result.Written > 0 ? $"{result.Written} entries imported from {file}" : null;
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            LogSeedUnreadable(logger, path, e.Message);
            return null;
        }
    }

    /// <summary>
    /// Keyspace notifications for strings (SET), generic commands (DEL, RENAME), expiry and eviction, added to whatever
    /// the server has. True when they were all on already; false when some had to be added (edits meanwhile went
    /// unheard) or the server refuses CONFIG (a managed Redis: its operators set them, and the table is loaded in full
    /// at every check since nothing proves they are on).
    /// </summary>
    private async Task<bool> EnableNotificationsAsync()
    {
        const string Wanted = "K$gxe";
        var server = redis.GetServers().FirstOrDefault(s => s.IsConnected && !s.IsReplica);
        if (server is null)
        {
            throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, "no connected Redis primary");
        }

        try
        {
            var current = (await server.ConfigGetAsync("notify-keyspace-events")).FirstOrDefault().Value ?? "";
            var missing = new string(Wanted.Where(flag => !current.Contains(flag, StringComparison.Ordinal) && !(flag != 'K' && current.Contains('A', StringComparison.Ordinal))).ToArray());
            if (missing.Length > 0)
            {
                await server.ConfigSetAsync("notify-keyspace-events", current + missing);
                return false;
            }

            return true;
        }
        catch (RedisServerException e)
        {
            LogNotificationsUnavailable(logger, e.Message, options.CurrentValue.ResyncInterval);
            return false;
        }
    }

    public override void Dispose()
    {
        _resyncWanted.Dispose();
        base.Dispose();
    }

    [LoggerMessage(EventId = 4020, Level = LogLevel.Error, Message = "Redirect table sync failed unexpectedly; retrying")]
    private static partial void LogUnexpected(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4010, Level = LogLevel.Information, Message = "Redirect table loaded from Redis: {Count} entries in {Milliseconds:0} ms")]
    private static partial void LogLoaded(ILogger logger, int count, double milliseconds);

    [LoggerMessage(EventId = 4011, Level = LogLevel.Warning, Message = "Redirect table not reloaded ({Error}): still serving the last one, {Count} entries; retrying")]
    private static partial void LogResyncFailed(ILogger logger, int count, string error);

    [LoggerMessage(EventId = 4012, Level = LogLevel.Debug, Message = "Redirect {Key} re-read from Redis (served: {Served})")]
    private static partial void LogRefreshed(ILogger logger, string key, bool served);

    [LoggerMessage(EventId = 4013, Level = LogLevel.Warning, Message = "{Count} changed redirects ({Key}…) could not be read ({Error}); the next check reloads the table")]
    private static partial void LogRefreshFailed(ILogger logger, int count, string key, string error);

    [LoggerMessage(EventId = 4014, Level = LogLevel.Information, Message = "Redis {Connection} connection restored: reloading the redirect table")]
    private static partial void LogReconnected(ILogger logger, ConnectionType connection);

    [LoggerMessage(EventId = 4050, Level = LogLevel.Information, Message = "Redis configuration changed at {Endpoint} (a failover?): reloading the redirect table")]
    private static partial void LogConfigurationChanged(ILogger logger, string? endpoint);

    [LoggerMessage(EventId = 4051, Level = LogLevel.Warning, Message = "Keyspace subscription was on {Endpoint}, now a replica: moved to the primary")]
    private static partial void LogSubscriptionMoved(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 4015, Level = LogLevel.Warning, Message = "Keyspace notifications could not be enabled ({Reason}): redirect edits show at the next full reload, every {Interval}. Set notify-keyspace-events to K$gxe on the Redis server.")]
    private static partial void LogNotificationsUnavailable(ILogger logger, string reason, TimeSpan interval);

    [LoggerMessage(EventId = 4021, Level = LogLevel.Debug, Message = "Redirect table checked: nothing missed, {Count} entries in step with Redis")]
    private static partial void LogChecked(ILogger logger, int count);

    [LoggerMessage(EventId = 4022, Level = LogLevel.Warning, Message = "Redirect table may have missed edits ({Reason}): reloading it")]
    private static partial void LogCheckFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 4016, Level = LogLevel.Information, Message = "Redirect table was empty: imported {Count} entries from {Path}")]
    private static partial void LogSeeded(ILogger logger, int count, string path);

    [LoggerMessage(EventId = 4017, Level = LogLevel.Warning, Message = "Seed file {Path}: entry skipped, {Problem}")]
    private static partial void LogSeedProblem(ILogger logger, string path, string problem);

    [LoggerMessage(EventId = 4018, Level = LogLevel.Warning, Message = "Seed file {Path} could not be read: {Reason}")]
    private static partial void LogSeedUnreadable(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 4023, Level = LogLevel.Warning, Message = "Redis lost the redirect table (this gateway's marker key is gone: FLUSHALL, FLUSHDB or a restart without its data); reloading, {Count} entries served until then")]
    private static partial void LogDataLost(ILogger logger, int count);

    [LoggerMessage(EventId = 4024, Level = LogLevel.Information, Message = "Redirect table in Redis is empty but had entries before ({SeededKey} exists): the seed file is not imported again")]
    private static partial void LogNotReseeded(ILogger logger, string seededKey);

    [LoggerMessage(EventId = 4019, Level = LogLevel.Information, Message = "No seed file {File}: the redirect table starts empty")]
    private static partial void LogNoSeed(ILogger logger, string file);
}

using StackExchange.Redis;

namespace Gateway.Redirects;

/// <summary>Keyspace notifications: turning them on, subscribing, and reading the keys they name (one reader, in batches).</summary>
internal sealed partial class RedirectSync
{
    private RedisChannel KeyspaceChannel => RedisChannel.Pattern($"__keyspace@{store.Database.Database}__:{store.Prefix}*");

    /// <summary>The version key's notifications: read in the same MGET as the entries changed before it.</summary>
    private RedisChannel VersionChannel => RedisChannel.Literal($"__keyspace@{store.Database.Database}__:{store.VersionKey}");

    /// <summary>Queued in place of a key when the version changed: never a key (keys are paths).</summary>
    private const string VersionChanged = "\0version";

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
            await subscriber.UnsubscribeAsync(VersionChannel);
        }

        // Subscribed before the first load, so no edit falls between the two; the client re-subscribes by itself
        // after a reconnection.
        await subscriber.SubscribeAsync(KeyspaceChannel, (name, _) => OnKeyChanged(name));
        await subscriber.SubscribeAsync(VersionChannel, (_, _) => Queue(VersionChanged));
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

        Queue(name[(at + store.Prefix.Length)..]);
    }

    private void Queue(string key)
    {
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

    private async Task RefreshAsync(List<string> named)
    {
        // The version read in the same MGET as the entries: every write that raised it to that value had its entry's
        // notification before the version's, so it is in this batch or an earlier one.
        var versioned = named.Contains(VersionChanged);
        var keys = versioned ? named.FindAll(key => key != VersionChanged) : named;
        var values = await store.GetRawAsync(keys, versioned);

        var edits = new KeyValuePair<string, RedirectEntry?>[keys.Count];
        for (var i = 0; i < keys.Count; i++)
        {
            var entry = loader.Accept(keys[i], values[i]);
            edits[i] = new(keys[i], entry);
            LogRefreshed(logger, keys[i], entry is not null);
        }

        snapshot.Apply(edits);
        if (versioned)
        {
            RaiseVersion(RedisRedirectStore.ParseVersion(values[^1]));
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
}

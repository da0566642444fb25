using System.Globalization;
using StackExchange.Redis;

namespace Gateway.Redirects;

/// <summary>
/// The table written back when Redis lost it: a replica holding a table at a version Redis is behind (none after a
/// FLUSHALL or a restart without persistence; an older one from a stale copy restored) writes its table back, under the
/// import lease (one writer; a second replica waits, serving what it holds, and loads what the first wrote). A replica
/// holding nothing never seeds while another holds a table: it asks on <see cref="HoldersChannel"/> first.
/// </summary>
internal sealed partial class RedirectSync
{
    /// <summary>How many times (a retry each) a replica that holds no table waits for the others' write-back before seeding.</summary>
    private const int MaxWriteBackWaits = 5;

    private long _version;
    private int _writeBackWaits;
    private bool _waitLogged;
    private bool _holding;

    /// <summary>The version of the table this replica serves (0: none known).</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>
    /// Replicas that hold a table listen here; one that starts on an empty Redis with no record of a table publishes, and
    /// the number of listeners tells it whether to wait for a write-back (any) or seed (none). Each listener resyncs,
    /// which writes its table back if Redis is behind it.
    /// </summary>
    private RedisChannel HoldersChannel => RedisChannel.Literal(store.SideKey("holders").ToString());

    private void RaiseVersion(long version)
    {
        var held = Interlocked.Read(ref _version);
        while (version > held)
        {
            var seen = Interlocked.CompareExchange(ref _version, version, held);
            if (seen == held)
            {
                return;
            }

            held = seen;
        }
    }

    /// <summary>
    /// Writes this replica's table back when Redis is behind <paramref name="held"/>: Proceed false when another replica
    /// holds the lease (this one keeps serving and tries again); Note, what was written, for /readyz.
    /// </summary>
    private async Task<(bool Proceed, string? Note)> WriteBackAsync(long held, CancellationToken cancel)
    {
        var (lease, heldBy) = await leases.TryTakeAsync($"the redirect table's write-back by {Environment.MachineName}/{_markerId[..8]}", options.CurrentValue.ImportLeaseTime);
        if (lease is null)
        {
            if (!_waitLogged)
            {
                // Once per wait: the retries every couple of seconds stay quiet.
                _waitLogged = true;
                LogWriteBackWaiting(logger, held, heldBy ?? "another replica");
            }

            return (false, null);
        }

        _waitLogged = false;
        await using (lease)
        {
            // Under the lease: another replica may have written back meanwhile.
            var inRedis = await store.GetVersionAsync();
            if (inRedis >= held)
            {
                return (true, null);
            }

            // No version: Redis lost the table, and what it holds now was written since (kept). An older version: a stale
            // copy or the seed over a lost table, replaced whole.
            var written = await store.WriteBackAsync(snapshot.Current, held, replace: inRedis > 0, cancel);
            var found = inRedis == 0 ? "none" : inRedis.ToString(CultureInfo.InvariantCulture);
            LogWrittenBack(logger, held, found, written);
            return (true, $"written back {time.GetUtcNow():HH:mm:ss} after Redis lost it: {written} entries, version {held} (Redis had {found})");
        }
    }

    /// <summary>
    /// Before seeding an empty Redis with no record of a table: true when a replica that holds a table (or an import)
    /// may be writing it back, so this one waits (a few retries at most) rather than seed over it.
    /// </summary>
    private async Task<bool> AwaitingWriteBackAsync()
    {
        if (string.IsNullOrWhiteSpace(options.CurrentValue.SeedFile) || await store.Database.KeyExistsAsync(store.SeededKey))
        {
            return false;
        }

        var busy = await store.Database.KeyExistsAsync(leases.Key);
        var holders = busy ? 0 : await redis.GetSubscriber().PublishAsync(HoldersChannel, _markerId);
        if ((!busy && holders == 0) || ++_writeBackWaits > MaxWriteBackWaits)
        {
            return false;
        }

        LogAwaitingWriteBack(logger, holders);
        return true;
    }

    /// <summary>Once this replica holds a table with a version, it answers the others' "who holds a table?".</summary>
    private async Task ListenAsHolderAsync()
    {
        if (_holding || Version == 0)
        {
            return;
        }

        await redis.GetSubscriber().SubscribeAsync(HoldersChannel, (_, asker) =>
        {
            if (asker != _markerId)
            {
                WantResync();
            }
        });
        _holding = true;
    }

    [LoggerMessage(EventId = 4025, Level = LogLevel.Warning, Message = "Redis lost the redirect table (version {Held} held here, {InRedis} in Redis); written back {Count} entries")]
    private static partial void LogWrittenBack(ILogger logger, long held, string inRedis, int count);

    [LoggerMessage(EventId = 4026, Level = LogLevel.Information, Message = "Redis is behind the redirect table held here (version {Held}), and {HeldBy} holds the lease: serving this table until it is written back")]
    private static partial void LogWriteBackWaiting(ILogger logger, long held, string heldBy);

    [LoggerMessage(EventId = 4027, Level = LogLevel.Information, Message = "Redis holds no redirect table and no record of one, but {Holders} other replicas hold one (or an import runs): waiting for its write-back, not seeding")]
    private static partial void LogAwaitingWriteBack(ILogger logger, long holders);

    [LoggerMessage(EventId = 4028, Level = LogLevel.Warning, Message = "Redirect table differed from Redis in content ({Here} entries here, {InRedis} in Redis): reloaded")]
    private static partial void LogRepaired(ILogger logger, int here, int inRedis);
}

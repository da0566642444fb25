using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Caching.Stale;

/// <summary>
/// The stale copies in Redis: one hash per read (<c>gateway:response-cache:stale:{collection}:{path}{query}</c>, fields
/// <c>m</c> and <c>b</c>), kept for <see cref="ResponseCacheOptions.Lifetime"/> + <see cref="ResponseCacheOptions.StaleIfError"/>
/// from the last time Strapi answered that read well. Not tagged: evictions leave them. In the cache's Redis
/// (<see cref="ResponseCacheRedis"/>), never the state's, and only for an answer the store admitted and kept
/// (<see cref="Offer"/> then <see cref="KeepOffered"/>): the bounds on what a reader can fill Redis with hold for copies too. Every call waits at most
/// <see cref="ResponseCacheOptions.RedisTimeout"/>; Redis trouble means no copy (the Redis outage itself is logged by
/// the Redis monitor and the output-cache store), never a failed request.
/// </summary>
internal sealed partial class StaleCopies(
    ResponseCacheRedis redis,
    IOptionsMonitor<ResponseCacheOptions> options,
    TimeProvider time,
    ILogger<StaleCopies> logger)
{
    internal const string KeyPrefix = "gateway:response-cache:stale:";
    private static readonly RedisValue MetaField = "m";
    private static readonly RedisValue BodyField = "b";
    private static readonly RedisValue[] Fields = [MetaField, BodyField];

    /// <summary>
    /// A read's key: its collection, path (case-sensitive) and whole query string, as the cache's own key has them. Not the
    /// exchange rate a currency view is keyed by too: a copy converted at yesterday's rate still beats an error.
    /// </summary>
    public static string KeyOf(string collection, HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return string.Concat(KeyPrefix, collection, ":", request.Path.Value, request.QueryString.Value);
    }

    public async ValueTask<bool> ExistsAsync(string key, CancellationToken cancel)
        => await RunAsync(db => db.KeyExistsAsync(key), false, cancel);

    public async ValueTask<StaleCopy?> GetAsync(string key, CancellationToken cancel)
    {
        var values = await RunAsync<RedisValue[]?>(async db => await db.HashGetAsync(key, Fields), null, cancel);
        return values is [var meta, var body] && !body.IsNull ? StaleCopy.From(meta, (byte[])body!) : null;
    }

    /// <summary>
    /// Holds <paramref name="copy"/> with the request until the output-cache store has admitted and kept the fresh answer
    /// (<see cref="KeepOffered"/>); a refused or unstored answer leaves no copy.
    /// </summary>
    public static void Offer(HttpContext http, string key, StaleCopy copy)
    {
        ArgumentNullException.ThrowIfNull(http);
        http.Features.Set(new OfferedCopy(key, copy));
    }

    /// <summary>After the store kept a fresh answer: the copy that request offered, if any, is kept too.</summary>
    public void KeepOffered(HttpContext? http)
    {
        if (http?.Features.Get<OfferedCopy>() is { } offered)
        {
            http.Features.Set<OfferedCopy>(null);
            Keep(offered.Key, offered.Copy);
        }
    }

    /// <summary>
    /// Keeps <paramref name="copy"/> in the background (the answer is not held up for it); its body is not copied again, so
    /// the caller must not reuse that memory. Only through <see cref="KeepOffered"/>: never for an answer the store refused.
    /// </summary>
    private void Keep(string key, StaleCopy copy)
    {
        ArgumentNullException.ThrowIfNull(copy);
        var settings = options.CurrentValue;
        if (!redis.Connection.IsConnected)
        {
            return;
        }

        _ = RunAsync(async db =>
        {
            var write = db.CreateTransaction();
            _ = write.HashSetAsync(key, [new HashEntry(MetaField, copy.Meta), new HashEntry(BodyField, copy.Body)]);
            _ = write.KeyExpireAsync(key, settings.Lifetime + settings.StaleIfError);
            return await write.ExecuteAsync();
        }, false, CancellationToken.None);
    }

    private async Task<T> RunAsync<T>(Func<IDatabase, Task<T>> operation, T fallback, CancellationToken cancel)
    {
        try
        {
            return await operation(redis.Database).WaitAsync(options.CurrentValue.RedisTimeout, time, cancel);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            return fallback;
        }
        catch (Exception e)
        {
            // As in the output-cache store: a dead connection surfaces as RedisException, a timeout, or the pipe's own
            // InvalidOperationException or TaskCanceledException; each is Redis trouble, never the request's error.
            var reason = e.GetType().Name;
            LogRedisTrouble(logger, reason);
            return fallback;
        }
    }

    private sealed record OfferedCopy(string Key, StaleCopy Copy);

    [LoggerMessage(EventId = 11060, Level = LogLevel.Debug, Message = "Stale copy skipped: Redis {Reason}")]
    private static partial void LogRedisTrouble(ILogger logger, string reason);
}

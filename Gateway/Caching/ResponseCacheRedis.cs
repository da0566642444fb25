using Gateway.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Caching;

/// <summary>
/// The Redis connection of the response cache, kept apart from the gateway's state: <see cref="ResponseCacheOptions.Redis"/>
/// (else <c>Redis:Configuration</c>) with <see cref="ResponseCacheOptions.Database"/> as its database. The cache's keys
/// (entries, tag sets, leases, client counts) all go there and all expire; database 0 of the state Redis never holds one.
/// Its own multiplexer unless it is exactly the app's (same server, database 0): large cached answers do not queue in
/// front of the state's commands, and the output cache's Redis store reads its database from the connection's default.
/// </summary>
internal sealed class ResponseCacheRedis : IDisposable
{
    private readonly ConnectionMultiplexer? _own;

    public ResponseCacheRedis(IConnectionMultiplexer app, IOptions<ResponseCacheOptions> cache, IOptions<RedisOptions> redis)
    {
        var options = cache.Value;
        var configuration = string.IsNullOrWhiteSpace(options.Redis) ? redis.Value.Configuration : options.Redis;
        if (string.IsNullOrWhiteSpace(options.Redis) && options.Database == 0)
        {
            Connection = app;
            return;
        }

        var parsed = ConfigurationOptions.Parse(configuration);
        parsed.AbortOnConnectFail = false;
        parsed.DefaultDatabase = options.Database;
        var timeout = (int)redis.Value.Timeout.TotalMilliseconds;
        parsed.ConnectTimeout = timeout;
        parsed.SyncTimeout = timeout;
        parsed.AsyncTimeout = timeout;
        parsed.ClientName ??= "edge-gateway-cache";
        _own = ConnectionMultiplexer.Connect(parsed);
        Connection = _own;
    }

    public IConnectionMultiplexer Connection { get; }

    /// <summary>The cache's database.</summary>
    public IDatabase Database => Connection.GetDatabase();

    public void Dispose() => _own?.Dispose();
}

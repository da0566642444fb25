using StackExchange.Redis;

namespace Gateway.Caching;

/// <summary>
/// Tells every replica that cached answers were evicted, through a Redis pub/sub channel, so each can drop what it holds in
/// memory (<see cref="ResilientOutputCacheStore"/>) and refuse to store an answer it fetched before the eviction.
/// <see cref="Generation"/> grows at each eviction heard (or made here), and whenever the pub/sub connection fails or comes
/// back (evictions may have been missed meanwhile); <see cref="Listening"/> is false while that connection is away.
/// </summary>
internal sealed partial class CacheEvictionSignal : IHostedService
{
    internal static readonly RedisChannel Channel = RedisChannel.Literal("gateway:response-cache:evicted");

    private readonly IConnectionMultiplexer _redis;
    private readonly ILogger<CacheEvictionSignal> _logger;
    private long _generation;
    private volatile bool _listening;
    private volatile bool _subscribed;

    public CacheEvictionSignal(ResponseCacheRedis redis, ILogger<CacheEvictionSignal> logger)
    {
        // The cache's own connection: the signal is about that Redis's entries, and is up exactly when they can be read.
        _redis = redis.Connection;
        _logger = logger;
    }

    /// <summary>Raised after each eviction heard of (or made here), and when evictions may have been missed.</summary>
    public event Action? Evicted;

    public long Generation => Interlocked.Read(ref _generation);

    public bool Listening => _listening && _redis.IsConnected;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _redis.ConnectionFailed += OnConnectionFailed;
        _redis.ConnectionRestored += OnConnectionRestored;

        // Redis away at start: the memory layer stays off until the subscription is made on reconnection.
        await SubscribeAsync();
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _redis.ConnectionFailed -= OnConnectionFailed;
        _redis.ConnectionRestored -= OnConnectionRestored;
        return Task.CompletedTask;
    }

    /// <summary>An eviction here: this replica drops what it holds in memory at once.</summary>
    public void Raise() => Signal();

    /// <summary>After an eviction in Redis: every other replica drops what it holds in memory.</summary>
    public async Task PublishAsync() => await _redis.GetSubscriber().PublishAsync(Channel, RedisValue.EmptyString);

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Subscription)
        {
            _listening = false;
            Signal();
        }
    }

    /// <summary>Evictions published while the pub/sub connection was away were missed: everything held in memory goes.</summary>
    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType != ConnectionType.Subscription)
        {
            return;
        }

        if (_subscribed)
        {
            _listening = true;
            Signal();
        }
        else
        {
            _ = SubscribeAsync();
        }
    }

    private async Task SubscribeAsync()
    {
        try
        {
            // The client subscribes again by itself after a reconnection.
            await _redis.GetSubscriber().SubscribeAsync(Channel, (_, _) => Signal());
            _subscribed = true;
            _listening = true;
            Signal();
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            LogNotSubscribed(_logger, e.GetType().Name);
        }
    }

    private void Signal()
    {
        Interlocked.Increment(ref _generation);
        Evicted?.Invoke();
    }

    [LoggerMessage(EventId = 11030, Level = LogLevel.Warning,
        Message = "Response cache: not subscribed to evictions ({Reason}); answers are not kept in memory until Redis is back")]
    private static partial void LogNotSubscribed(ILogger logger, string reason);
}

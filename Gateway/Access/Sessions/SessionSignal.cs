using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Access;

/// <summary>
/// How this replica hears of ended sessions and changed users (Redis pub/sub: <see cref="SessionKeys.Revoked"/>,
/// <see cref="SessionKeys.UserChanged"/>), and whether it may trust what it holds in memory. A heartbeat (a PING every
/// second, off the request path) tracks when Redis last answered: a session held in memory is used without asking
/// Redis only while that was less than <see cref="SessionOptions.OfflineGrace"/> ago. When Redis answers again after
/// an outage, or the pub/sub connection comes back, messages may have been missed: <see cref="Reset"/> is raised and
/// every replica-held session is read from Redis again.
/// </summary>
internal sealed partial class SessionSignal(
    IConnectionMultiplexer redis,
    IOptionsMonitor<AccessOptions> options,
    TimeProvider clock,
    ILogger<SessionSignal> logger) : BackgroundService
{
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(1);
    private long _lastContact = long.MinValue;
    private volatile bool _reachable = true;
    private volatile bool _subscribed;
    private int _outageLogged;

    /// <summary>Session ids ended somewhere in the fleet.</summary>
    public event Action<string>? Revoked;

    /// <summary>A user changed (<c>strapi:{id}</c>).</summary>
    public event Action<string>? UserChanged;

    /// <summary>Messages may have been missed: forget what is held in memory.</summary>
    public event Action? Reset;

    /// <summary>Whether Redis answered the last heartbeat (or the last operation).</summary>
    public bool Reachable => _reachable && redis.IsConnected;

    /// <summary>Whether what is held in memory may be used now: subscribed, and Redis heard from within the grace time.</summary>
    public bool MemoryTrusted
    {
        get
        {
            var last = Interlocked.Read(ref _lastContact);
            return _subscribed && last != long.MinValue && clock.GetElapsedTime(last) < options.CurrentValue.Session.OfflineGrace;
        }
    }

    /// <summary>An operation on Redis succeeded: Redis is there now.</summary>
    public void Contact()
    {
        Interlocked.Exchange(ref _lastContact, clock.GetTimestamp());
        if (!_reachable)
        {
            Recovered();
        }
    }

    /// <summary>An operation on Redis failed: logged once per outage.</summary>
    public void Failed(string reason)
    {
        _reachable = false;
        if (Interlocked.Exchange(ref _outageLogged, 1) == 0)
        {
            LogOutage(logger, reason, options.CurrentValue.Session.OfflineGrace);
        }
    }

    public async Task PublishRevokedAsync(IEnumerable<string> ids)
    {
        var message = string.Join(' ', ids);
        if (message.Length > 0)
        {
            Revoked?.Invoke(message);
            await redis.GetSubscriber().PublishAsync(SessionKeys.Revoked, message);
        }
    }

    public async Task PublishUserChangedAsync(string user)
    {
        UserChanged?.Invoke(user);
        await redis.GetSubscriber().PublishAsync(SessionKeys.UserChanged, user);
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        redis.ConnectionRestored += OnConnectionRestored;
        await SubscribeAsync();
        await base.StartAsync(cancellationToken);
    }

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        redis.ConnectionRestored -= OnConnectionRestored;
        return base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Heartbeat, clock);
        try
        {
            do
            {
                await BeatAsync(stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task BeatAsync(CancellationToken stoppingToken)
    {
        try
        {
            if (!_subscribed)
            {
                await SubscribeAsync();
            }

            await redis.GetDatabase().PingAsync().WaitAsync(options.CurrentValue.RedisTimeout, clock, stoppingToken);
            Contact();
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Failed(e is TimeoutException ? "timed out" : e.GetType().Name);
        }
    }

    private void Recovered()
    {
        _reachable = true;
        Interlocked.Exchange(ref _outageLogged, 0);
        LogRecovered(logger);
        Reset?.Invoke();
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Subscription)
        {
            Reset?.Invoke();
        }
    }

    private async Task SubscribeAsync()
    {
        try
        {
            // The client subscribes again by itself after a reconnection.
            var subscriber = redis.GetSubscriber();
            await subscriber.SubscribeAsync(SessionKeys.Revoked, (_, message) => Raise(Revoked, message));
            await subscriber.SubscribeAsync(SessionKeys.UserChanged, (_, message) => Raise(UserChanged, message));
            _subscribed = true;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Failed(e is TimeoutException ? "timed out" : e.GetType().Name);
        }
    }

    private void Raise(Action<string>? handler, RedisValue message)
    {
        try
        {
            if (!message.IsNullOrEmpty)
            {
                handler?.Invoke(message.ToString());
            }
        }
        catch (Exception e)
        {
            // A pub/sub callback: log and carry on.
            LogHandlerFailed(logger, e);
        }
    }

    [LoggerMessage(EventId = 9301, Level = LogLevel.Warning,
        Message = "Sessions: Redis unreachable ({Reason}); sessions already held here keep working for {Grace}, new sign-ins answer 503")]
    private static partial void LogOutage(ILogger logger, string reason, TimeSpan grace);

    [LoggerMessage(EventId = 9302, Level = LogLevel.Information, Message = "Sessions: Redis reachable again; sessions held in memory are read from Redis again")]
    private static partial void LogRecovered(ILogger logger);

    [LoggerMessage(EventId = 9303, Level = LogLevel.Error, Message = "Sessions: a pub/sub message could not be handled")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception);
}

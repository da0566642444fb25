using StackExchange.Redis;

namespace Gateway.Telemetry;

/// <summary>Redis's connection events, into the outage log: lost (or down at start) and restored.</summary>
internal sealed class RedisOutageMonitor(IConnectionMultiplexer redis, UpstreamOutages outages) : IHostedService
{
    private readonly UpstreamOutage _outage = outages.For(Upstreams.Redis);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        redis.ConnectionFailed += OnConnectionFailed;
        redis.ConnectionRestored += OnConnectionRestored;
        if (!redis.IsConnected)
        {
            _outage.Failed("not connected at start");
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        redis.ConnectionFailed -= OnConnectionFailed;
        redis.ConnectionRestored -= OnConnectionRestored;
        return Task.CompletedTask;
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e) => _outage.Failed(e.FailureType.ToString());

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (redis.IsConnected)
        {
            _outage.Succeeded();
        }
    }
}

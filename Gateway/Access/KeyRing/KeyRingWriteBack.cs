using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Access;

/// <summary>
/// Every <see cref="AccessOptions.KeyRingCheckInterval"/>, when the Redis connection comes back, and when a replica
/// starting on an empty ring asks (<see cref="KeyRingRepository.HoldersChannel"/>): the key ring this replica holds is
/// put back into Redis where Redis lacks it (FLUSHALL, a restart without persistence, an eviction). One Lua script each
/// time, so of several replicas writing back at once only the first pushes anything.
/// </summary>
internal sealed partial class KeyRingWriteBack(
    KeyRingRepository ring,
    IConnectionMultiplexer redis,
    IOptionsMonitor<AccessOptions> options,
    ILogger<KeyRingWriteBack> logger) : BackgroundService
{
    private readonly SemaphoreSlim _now = new(0, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        redis.ConnectionRestored += OnConnectionRestored;
        ring.Asked += CheckNow;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await _now.WaitAsync(options.CurrentValue.KeyRingCheckInterval, stoppingToken);
                try
                {
                    await CheckAsync();
                }
                catch (Exception e) when (e is RedisException or TimeoutException)
                {
                    // Redis away: the reconnection brings the next check.
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The loop outlives whatever it meets.
                    LogUnexpected(logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            redis.ConnectionRestored -= OnConnectionRestored;
            ring.Asked -= CheckNow;
        }
    }

    private async Task CheckAsync()
    {
        ring.Listen();
        await ring.WriteBackAsync();
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e) => CheckNow();

    private void CheckNow()
    {
        try
        {
            _now.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already wanted.
        }
        catch (ObjectDisposedException)
        {
            // Stopped.
        }
    }

    public override void Dispose()
    {
        _now.Dispose();
        base.Dispose();
    }

    [LoggerMessage(EventId = 9362, Level = LogLevel.Error, Message = "Key ring write-back failed unexpectedly; retrying")]
    private static partial void LogUnexpected(ILogger logger, Exception exception);
}

using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Redis;

/// <summary>
/// Ready when a PING to Redis comes back within <see cref="RedisOptions.Timeout"/>. A Redis that hangs (connection open,
/// nothing answering) is "not answering" within that time; the report never carries the client's exception text, which
/// names the endpoint, the client and the library's version.
/// </summary>
internal sealed class RedisHealthCheck(IConnectionMultiplexer redis, IOptions<RedisOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!redis.IsConnected)
        {
            return HealthCheckResult.Degraded("not connected");
        }

        try
        {
            var latency = await redis.GetDatabase().PingAsync().WaitAsync(options.Value.Timeout, cancellationToken);
            return HealthCheckResult.Healthy($"ping {latency.TotalMilliseconds:0.#} ms");
        }
        catch (TimeoutException)
        {
            // RedisTimeoutException is one too.
            return HealthCheckResult.Degraded("not answering");
        }
        catch (RedisException)
        {
            return HealthCheckResult.Degraded("ping failed");
        }
    }
}

using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Redis;

internal static class RedisServiceCollectionExtensions
{
    /// <summary>
    /// One <see cref="IConnectionMultiplexer"/> for the app. It does not fail the start when Redis is down
    /// (<c>AbortOnConnectFail = false</c>): it keeps reconnecting in the background, and each feature copes meanwhile.
    /// </summary>
    public static IServiceCollection AddGatewayRedis(this IServiceCollection services)
    {
        services.AddOptions<RedisOptions>().BindConfiguration(RedisOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IConnectionMultiplexer>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<RedisOptions>>().Value;
            var configuration = ConfigurationOptions.Parse(options.Configuration);
            configuration.AbortOnConnectFail = false;
            configuration.ConnectTimeout = (int)options.Timeout.TotalMilliseconds;
            configuration.SyncTimeout = (int)options.Timeout.TotalMilliseconds;
            configuration.AsyncTimeout = (int)options.Timeout.TotalMilliseconds;
            configuration.ClientName ??= "edge-gateway";
            // CONFIG GET/SET, to turn on the keyspace notifications the redirect table follows.
            configuration.AllowAdmin = true;
            return ConnectionMultiplexer.Connect(configuration);
        });
        return services;
    }
}

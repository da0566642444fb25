using Microsoft.Extensions.Options;

namespace Gateway.Hosting;

internal static class ShutdownServiceCollectionExtensions
{
    /// <summary>
    /// The stop, from <see cref="ShutdownOptions"/>: readiness goes to 503 at once (<see cref="ShutdownReadiness"/>), the
    /// gateway keeps serving for the readiness delay, then Kestrel stops accepting and lets requests in flight finish.
    /// </summary>
    public static IServiceCollection AddGracefulShutdown(this IServiceCollection services)
    {
        services.AddOptions<ShutdownOptions>().BindConfiguration(ShutdownOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<HostOptions>().Configure<IOptions<ShutdownOptions>>((host, shutdown)
            => host.ShutdownTimeout = shutdown.Value.ReadinessDelay + shutdown.Value.DrainTimeout);

        // Its StoppingAsync runs before any hosted service stops (the web server included): readiness 503, the delay, then Kestrel's drain.
        services.AddSingleton<ShutdownReadiness>();
        services.AddHostedService(sp => sp.GetRequiredService<ShutdownReadiness>());
        return services;
    }
}

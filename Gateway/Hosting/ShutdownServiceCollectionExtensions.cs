using Microsoft.Extensions.Options;

namespace Gateway.Hosting;

internal static class ShutdownServiceCollectionExtensions
{
    /// <summary>The host's shutdown timeout, during which Kestrel lets requests in flight finish, from <see cref="ShutdownOptions"/>.</summary>
    public static IServiceCollection AddGracefulShutdown(this IServiceCollection services)
    {
        services.AddOptions<ShutdownOptions>().BindConfiguration(ShutdownOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<HostOptions>().Configure<IOptions<ShutdownOptions>>((host, shutdown) => host.ShutdownTimeout = shutdown.Value.DrainTimeout);
        return services;
    }
}

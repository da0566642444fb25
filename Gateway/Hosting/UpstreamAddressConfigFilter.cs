using Gateway.Frontend;
using Gateway.Strapi;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;

namespace Gateway.Hosting;

/// <summary>
/// Gives the clusters of <c>yarp.json</c> their addresses from configuration: the <c>strapi</c> cluster gets
/// <see cref="StrapiOptions.BaseUrl"/> and the <c>frontend</c> cluster <see cref="FrontendOptions.BaseUrl"/>, so the
/// route map holds no host names and one setting moves an upstream everywhere it is used.
/// </summary>
internal sealed partial class UpstreamAddressConfigFilter(
    IOptionsMonitor<StrapiOptions> strapi,
    IOptionsMonitor<FrontendOptions> frontend,
    ILogger<UpstreamAddressConfigFilter> logger) : IProxyConfigFilter
{
    public ValueTask<ClusterConfig> ConfigureClusterAsync(ClusterConfig cluster, CancellationToken cancel)
    {
        var address = cluster.ClusterId switch
        {
            StrapiOptions.ClusterId => strapi.CurrentValue.BaseUrl,
            FrontendOptions.ClusterId => frontend.CurrentValue.BaseUrl,
            _ => null,
        };
        if (address is null)
        {
            return ValueTask.FromResult(cluster);
        }

        LogAddress(logger, cluster.ClusterId, address);
        var destinations = new Dictionary<string, DestinationConfig>(StringComparer.OrdinalIgnoreCase)
        {
            [cluster.ClusterId] = new() { Address = address.AbsoluteUri },
        };
        return ValueTask.FromResult(cluster with { Destinations = destinations });
    }

    public ValueTask<RouteConfig> ConfigureRouteAsync(RouteConfig route, ClusterConfig? cluster, CancellationToken cancel)
        => ValueTask.FromResult(route);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Cluster {ClusterId} forwards to {Address}")]
    private static partial void LogAddress(ILogger logger, string clusterId, Uri address);
}

using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Gateway.Telemetry;

/// <summary>
/// In the proxy pipeline: a forward that YARP gave up on after the cluster's <c>ActivityTimeout</c> counts as a failure
/// of that cluster (the client handler only sees a cancellation, which a client leaving causes too).
/// </summary>
internal static class UpstreamOutageMiddleware
{
    public static IReverseProxyApplicationBuilder UseUpstreamOutages(this IReverseProxyApplicationBuilder proxy)
    {
        ArgumentNullException.ThrowIfNull(proxy);

        var outages = proxy.ApplicationServices.GetRequiredService<UpstreamOutages>();
        proxy.Use(async (context, next) =>
        {
            await next(context);

            if (context.GetForwarderErrorFeature() is { Error: ForwarderError.RequestTimedOut }
                && context.GetReverseProxyFeature().Cluster is { } cluster)
            {
                outages.For(cluster.Config.ClusterId).Failed("timed out");
            }
        });
        return proxy;
    }
}

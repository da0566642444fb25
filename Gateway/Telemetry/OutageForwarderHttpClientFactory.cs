using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Telemetry;

/// <summary>YARP's own client factory, with each cluster's calls reported to that cluster's outage log.</summary>
internal sealed class OutageForwarderHttpClientFactory(UpstreamOutages outages, ILogger<ForwarderHttpClientFactory> logger)
    : ForwarderHttpClientFactory(logger)
{
    protected override HttpMessageHandler WrapHandler(ForwarderHttpClientContext context, HttpMessageHandler handler)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new UpstreamOutageHandler(outages.For(context.ClusterId)) { InnerHandler = base.WrapHandler(context, handler) };
    }
}

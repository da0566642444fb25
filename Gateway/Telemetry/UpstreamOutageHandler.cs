namespace Gateway.Telemetry;

/// <summary>
/// Reports each call through a cluster's client to its outage log: an answer (any status) is a success, a call that got
/// none (refused, reset, name not found) a failure. A call cancelled by its caller or by a timeout is neither here; the
/// proxy pipeline reports YARP's timeouts (<see cref="UpstreamOutageMiddleware"/>).
/// </summary>
internal sealed class UpstreamOutageHandler(UpstreamOutage outage) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e) when (!cancellationToken.IsCancellationRequested)
        {
            outage.Failed(e.HttpRequestError.ToString());
            throw;
        }

        outage.Succeeded();
        return response;
    }
}

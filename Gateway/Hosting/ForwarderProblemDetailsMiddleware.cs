using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Hosting;

/// <summary>
/// YARP answers a failed forward with a bare status (502, 503, 504) and an error feature. This middleware,
/// in the proxy pipeline, turns that into problem details, with a title per error and never exception text.
/// </summary>
internal static class ForwarderProblemDetailsMiddleware
{
    public static IReverseProxyApplicationBuilder UseForwarderProblemDetails(this IReverseProxyApplicationBuilder proxy)
    {
        ArgumentNullException.ThrowIfNull(proxy);

        proxy.Use(async (context, next) =>
        {
            await next(context);

            var error = context.GetForwarderErrorFeature();
            if (error is null || context.Response.HasStarted || context.RequestAborted.IsCancellationRequested)
            {
                return;
            }

            var (status, title) = Describe(error.Error, context.Response.StatusCode);
            await GatewayProblems.WriteAsync(context, status, title);
        });
        return proxy;
    }

    internal static (int Status, string Title) Describe(ForwarderError error, int status) => error switch
    {
        ForwarderError.NoAvailableDestinations => (StatusCodes.Status503ServiceUnavailable, "No upstream is available"),
        ForwarderError.RequestTimedOut => (StatusCodes.Status504GatewayTimeout, "The upstream did not answer in time"),
        ForwarderError.RequestBodyClient when status == StatusCodes.Status413PayloadTooLarge
            => (status, "The request body is too large"),
        ForwarderError.RequestBodyClient => (StatusCodes.Status400BadRequest, "The request body could not be read"),
        _ when status == StatusCodes.Status504GatewayTimeout => (status, "The upstream did not answer in time"),
        _ => (StatusCodes.Status502BadGateway, "The upstream could not be reached"),
    };
}

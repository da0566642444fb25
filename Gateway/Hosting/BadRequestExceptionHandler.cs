using Microsoft.AspNetCore.Diagnostics;

namespace Gateway.Hosting;

/// <summary>
/// A request Kestrel refuses while it is being read (a body over the endpoint's <see cref="BodyLimit"/>, a malformed
/// chunk, the client too slow) is the client's error, not the gateway's: its own status (413, 400, 408) as a problem,
/// never a 500, and nothing at Error in the log.
/// </summary>
internal sealed class BadRequestExceptionHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);

        if (exception is not BadHttpRequestException bad || httpContext.Response.HasStarted)
        {
            return false;
        }

        var limit = httpContext.GetEndpoint()?.Metadata.GetMetadata<BodyLimit>()?.MaxRequestBodySize;
        await (bad.StatusCode == StatusCodes.Status413PayloadTooLarge
            ? GatewayProblems.WriteAsync(httpContext, bad.StatusCode, "The body is too large", limit is { } bytes ? $"This endpoint reads at most {bytes} bytes." : null)
            : GatewayProblems.WriteAsync(httpContext, bad.StatusCode, "The request could not be read"));
        return true;
    }
}

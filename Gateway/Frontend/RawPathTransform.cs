using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Transforms;

namespace Gateway.Frontend;

/// <summary>
/// Sends the frontend the path as the client wrote it. ASP.NET Core leaves <c>%2F</c> encoded in the decoded path, so
/// YARP cannot tell it from a decoded <c>%252F</c> and encodes its <c>%</c> again: <c>/a%2Fb</c> reached the frontend as
/// <c>/a%252Fb</c>. The raw request target has no such doubt. It is used as it is unless a transform changed the path
/// or it has dot segments (<c>/a/../b</c>, also encoded), which Kestrel resolved and which stay resolved.
/// </summary>
internal sealed class RawPathTransform : RequestTransform
{
    public override ValueTask ApplyAsync(RequestTransformContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        var http = context.HttpContext;
        if (context.Path == http.Request.PathBase + http.Request.Path
            && RawPath(http.Features.Get<IHttpRequestFeature>()?.RawTarget) is { } path)
        {
            context.ProxyRequest.RequestUri = new Uri(context.DestinationPrefix.TrimEnd('/') + path + context.Query.QueryString.Value);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>The path of an origin-form target (<c>/a%2Fb?x</c> → <c>/a%2Fb</c>); null for anything else or with dot segments.</summary>
    internal static string? RawPath(string? target)
    {
        if (target is null || !target.StartsWith('/') || target.StartsWith("//", StringComparison.Ordinal))
        {
            return null;
        }

        var end = target.IndexOf('?', StringComparison.Ordinal);
        var path = end < 0 ? target : target[..end];
        foreach (var segment in path.Split('/'))
        {
            if (Uri.UnescapeDataString(segment) is "." or "..")
            {
                return null;
            }
        }

        return path;
    }
}

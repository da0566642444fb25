using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Transforms;

namespace Gateway.Access;

/// <summary>
/// What Strapi says about itself stays inside: its CORS answer (any origin, with credentials: the gateway's CORS middleware
/// adds its own when the response starts), <c>X-Powered-By</c>, and its <c>Strict-Transport-Security</c>, all dropped as
/// they are copied. The gateway's own HSTS (<c>Hsts:Enabled</c>, on HTTPS) was set before the request went out, YARP then
/// copies none from Strapi, and <see cref="GatewayHstsMarkTransform"/> noted it: that one stays.
/// </summary>
internal sealed class StrapiOwnHeadersRemoveTransform : ResponseTransform
{
    public static readonly StrapiOwnHeadersRemoveTransform Instance = new();

    private static readonly string[] Headers =
    [
        HeaderNames.AccessControlAllowOrigin, HeaderNames.AccessControlAllowCredentials, HeaderNames.AccessControlAllowHeaders,
        HeaderNames.AccessControlAllowMethods, HeaderNames.AccessControlExposeHeaders, HeaderNames.AccessControlMaxAge,
        HeaderNames.XPoweredBy,
    ];

    public override ValueTask ApplyAsync(ResponseTransformContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        var response = context.HttpContext.Response;
        if (!response.HasStarted)
        {
            foreach (var header in Headers)
            {
                response.Headers.Remove(header);
            }

            if (!GatewayHstsMarkTransform.SetByGateway(context.HttpContext))
            {
                response.Headers.Remove(HeaderNames.StrictTransportSecurity);
            }
        }

        return ValueTask.CompletedTask;
    }
}

using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Transforms;

namespace Gateway.Access;

/// <summary>
/// Notes, before a request goes to Strapi, whether the gateway already set its own <c>Strict-Transport-Security</c>
/// (ASP.NET Core's HSTS middleware sets it as the request comes in), so <see cref="StrapiOwnHeadersRemoveTransform"/> removes
/// only Strapi's: the two may read the same.
/// </summary>
internal sealed class GatewayHstsMarkTransform : RequestTransform
{
    public static readonly GatewayHstsMarkTransform Instance = new();

    public override ValueTask ApplyAsync(RequestTransformContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        var http = context.HttpContext;
        if (http.Response.Headers.ContainsKey(HeaderNames.StrictTransportSecurity))
        {
            http.Features.Set(Mark.Instance);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Whether the gateway's own HSTS header was on the response before the request was forwarded.</summary>
    public static bool SetByGateway(HttpContext http) => http.Features.Get<Mark>() is not null;

    private sealed class Mark
    {
        public static readonly Mark Instance = new();
    }
}

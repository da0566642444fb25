using System.Net.Http.Headers;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Transforms;

namespace Gateway.Strapi;

/// <summary>
/// Sets <c>Authorization: Bearer {Strapi:Token}</c> on the proxied request, replacing whatever the client sent,
/// so a client's own credentials never reach Strapi and the token never leaves the gateway.
/// </summary>
internal sealed class StrapiTokenTransform(IOptionsMonitor<StrapiOptions> options) : RequestTransform
{
    private const string Scheme = "Bearer";

    public override ValueTask ApplyAsync(RequestTransformContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        context.ProxyRequest.Headers.Authorization = new AuthenticationHeaderValue(Scheme, options.CurrentValue.Token);
        return ValueTask.CompletedTask;
    }
}

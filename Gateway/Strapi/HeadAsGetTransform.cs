using Yarp.ReverseProxy.Transforms;

namespace Gateway.Strapi;

/// <summary>
/// A <c>HEAD</c> goes to Strapi as a <c>GET</c>, so the gateway's own views (the CSV export, the currency views) see the
/// body they work from and answer with the headers a <c>GET</c> would get; Kestrel sends no body for a <c>HEAD</c>.
/// </summary>
internal sealed class HeadAsGetTransform : RequestTransform
{
    public static readonly HeadAsGetTransform Instance = new();

    public override ValueTask ApplyAsync(RequestTransformContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        if (HttpMethods.IsHead(context.HttpContext.Request.Method))
        {
            context.ProxyRequest.Method = HttpMethod.Get;
        }

        return ValueTask.CompletedTask;
    }
}

using Yarp.ReverseProxy.Transforms;

namespace Gateway.Geo;

/// <summary>What a geo-rerouted route answers depends on who asks: no shared cache may keep it.</summary>
internal sealed class GeoPrivateResponseTransform : ResponseTransform
{
    public const string Private = "private";

    public override ValueTask ApplyAsync(ResponseTransformContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        context.HttpContext.Response.Headers.CacheControl = Private;
        return ValueTask.CompletedTask;
    }
}

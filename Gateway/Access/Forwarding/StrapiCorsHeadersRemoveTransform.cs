using Yarp.ReverseProxy.Transforms;

namespace Gateway.Access;

/// <summary>
/// Strapi's own CORS answer (any origin, with credentials) never reaches a client: its <c>Access-Control-*</c> headers
/// are dropped as they are copied. The gateway's CORS middleware adds its own when the response starts.
/// </summary>
internal sealed class StrapiCorsHeadersRemoveTransform : ResponseTransform
{
    public static readonly StrapiCorsHeadersRemoveTransform Instance = new();

    private static readonly string[] Headers =
    [
        "Access-Control-Allow-Origin", "Access-Control-Allow-Credentials", "Access-Control-Allow-Headers",
        "Access-Control-Allow-Methods", "Access-Control-Expose-Headers", "Access-Control-Max-Age",
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
        }

        return ValueTask.CompletedTask;
    }
}

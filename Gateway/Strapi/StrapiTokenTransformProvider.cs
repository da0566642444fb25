using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Gateway.Strapi;

/// <summary>
/// Every route to the Strapi cluster carries the token: it is added here, by cluster, so a route added to
/// <c>yarp.json</c> cannot forget it.
/// </summary>
internal sealed class StrapiTokenTransformProvider(IOptionsMonitor<StrapiOptions> options) : ITransformProvider
{
    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        if (string.Equals(context.Route.ClusterId, StrapiOptions.ClusterId, StringComparison.OrdinalIgnoreCase))
        {
            context.AddStrapiToken(options);
        }
    }
}

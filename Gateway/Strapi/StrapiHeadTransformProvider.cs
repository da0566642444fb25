using Yarp.ReverseProxy.Transforms.Builder;

namespace Gateway.Strapi;

/// <summary>Every route to the Strapi cluster sends a <c>HEAD</c> as a <c>GET</c> (<see cref="HeadAsGetTransform"/>).</summary>
internal sealed class StrapiHeadTransformProvider : ITransformProvider
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
            context.RequestTransforms.Add(HeadAsGetTransform.Instance);
        }
    }
}

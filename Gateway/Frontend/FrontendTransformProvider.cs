using Yarp.ReverseProxy.Transforms.Builder;

namespace Gateway.Frontend;

/// <summary>Every route to the frontend cluster passes the client's path through as it was written (<see cref="RawPathTransform"/>).</summary>
internal sealed class FrontendTransformProvider : ITransformProvider
{
    private static readonly RawPathTransform RawPath = new();

    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        if (string.Equals(context.Route.ClusterId, FrontendOptions.ClusterId, StringComparison.OrdinalIgnoreCase))
        {
            context.RequestTransforms.Add(RawPath);
        }
    }
}

using Gateway.Strapi;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Gateway.Access;

/// <summary>
/// On every route, whatever <c>yarp.json</c> says: what a client sends that is the gateway's business never goes
/// upstream (its session cookie, <c>X-Admin-Key</c>; <c>Authorization</c>, which on the Strapi cluster the token
/// transform replaces with the gateway's token), and Strapi's own CORS answer never comes back. Who the caller is goes
/// to the frontend in headers of the gateway's own (<see cref="ForwardedIdentityTransform"/>).
/// </summary>
internal sealed class ForwardedCredentialsTransformProvider(IOptionsMonitor<AccessOptions> options) : ITransformProvider
{
    private static readonly ForwardedIdentityTransform IdentityToFrontend = new(addIdentity: true);
    private static readonly ForwardedIdentityTransform IdentityRemoved = new(addIdentity: false);

    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        context.AddRequestHeaderRemove(AdminKeyAuthenticationHandler.Header);
        context.RequestTransforms.Add(new SessionCookieRemoveTransform(options));
        var frontend = string.Equals(context.Route.ClusterId, Frontend.FrontendOptions.ClusterId, StringComparison.OrdinalIgnoreCase);
        context.RequestTransforms.Add(frontend ? IdentityToFrontend : IdentityRemoved);
        if (string.Equals(context.Route.ClusterId, StrapiOptions.ClusterId, StringComparison.OrdinalIgnoreCase))
        {
            // First of the response transforms: the CSV and currency views start their own bodies in theirs.
            context.ResponseTransforms.Insert(0, StrapiCorsHeadersRemoveTransform.Instance);
        }
        else
        {
            context.AddRequestHeaderRemove(Microsoft.Net.Http.Headers.HeaderNames.Authorization);
        }
    }
}

using Gateway.Frontend;
using Microsoft.AspNetCore.Authorization;
using Yarp.ReverseProxy.Model;

namespace Gateway.Access;

/// <summary>
/// Which requests are authenticated. <c>UseAuthentication</c> runs the default scheme for every request; here it runs
/// only where the caller matters: every endpoint that is not open (a policy, or the fallback policy), every request that
/// matched no endpoint (the OpenID Connect callback is handled by the authentication middleware itself), the frontend's
/// open routes (the signed-in caller's identity is forwarded to the frontend there) and the gateway's own open endpoints
/// that show who is signed in (<see cref="WithCallerIdentity{TBuilder}"/>). Every other open endpoint (an open Strapi
/// route, health, webhooks, page assets) treats every caller as anonymous: no cookie is opened, no session looked up, no
/// handler made (bench/PROFILE.md: about 9 µs and 1.5 KB per request). On an open Strapi route a signed-in caller's
/// reads therefore count against its address, as an anonymous caller's do.
/// </summary>
internal static class CallerIdentity
{
    /// <summary>This open endpoint shows or uses who is signed in: authenticate its requests.</summary>
    public static TBuilder WithCallerIdentity<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
        => builder.WithMetadata(Wanted.Instance);

    /// <summary>Whether this request is to be authenticated (see the type's summary).</summary>
    public static bool Needed(HttpContext context)
    {
        var metadata = context.GetEndpoint()?.Metadata;
        if (metadata?.GetMetadata<IAllowAnonymous>() is null || metadata.GetMetadata<Wanted>() is not null)
        {
            return true;
        }

        var route = metadata.GetMetadata<RouteModel>();
        return route is not null && string.Equals(route.Config.ClusterId, FrontendOptions.ClusterId, StringComparison.OrdinalIgnoreCase);
    }

    private sealed class Wanted
    {
        public static readonly Wanted Instance = new();
    }
}

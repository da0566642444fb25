using System.Threading.RateLimiting;
using Gateway.Strapi;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Gateway.Access;

/// <summary>
/// At most <see cref="RateLimitOptions.StrapiReadsPerClient"/> reads of Strapi at a time per caller, and as many more
/// waiting their turn, so one caller cannot hold all of the <c>strapi</c> cluster's connections (64) and starve everyone
/// else. A caller is the signed-in user (so the dashboard's server, reading for many users from one address with each
/// user's credentials, and people behind one NAT are not one caller) or, signed out, the client address. The last request
/// transform of every <c>GET</c>/<c>HEAD</c> route to Strapi, so it counts only reads that really go there: a cache hit
/// never reaches the proxy, a request refused by the query policy or rerouted by geo never gets this far. The lease is
/// held until the request ends (a CSV export holds it while it pages). Over the limit: a 429 problem with
/// <c>Retry-After</c>, nothing forwarded. The limiter is System.Threading.RateLimiting's, partitioned by client as the
/// routes' rate-limiter policies are; it is not one of them because those run before the cache and the transforms.
/// </summary>
internal sealed class StrapiReadLimit : ITransformProvider, IDisposable
{
    private readonly PartitionedRateLimiter<string> _reads;
    private readonly RequestTransform _transform;

    public StrapiReadLimit(IOptions<AccessOptions> options)
    {
        var permits = options.Value.RateLimits.StrapiReadsPerClient;
        _reads = PartitionedRateLimiter.Create<string, string>(client => RateLimitPartition.GetConcurrencyLimiter(client,
            _ => new ConcurrencyLimiterOptions { PermitLimit = permits, QueueLimit = permits, QueueProcessingOrder = QueueProcessingOrder.OldestFirst }));
        _transform = new LimitTransform(_reads);
    }

    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        if (string.Equals(context.Route.ClusterId, StrapiOptions.ClusterId, StringComparison.OrdinalIgnoreCase)
            && context.Route.Match.Methods?.Any(method => HttpMethods.IsGet(method) || HttpMethods.IsHead(method)) != false)
        {
            context.RequestTransforms.Add(_transform);
        }
    }

    public void Dispose() => _reads.Dispose();

    /// <summary>The partition: <c>user:{source}:{subject}</c> when signed in, else <c>ip:{address}</c>.</summary>
    internal static string CallerOf(HttpContext context)
    {
        var user = context.User;
        return user.Identity?.IsAuthenticated == true && user.FindFirst(AccessClaims.Subject)?.Value is { } subject
            ? $"user:{user.FindFirst(AccessClaims.Source)?.Value}:{subject}"
            : "ip:" + RateLimitSetup.ClientOf(context);
    }

    private sealed class LimitTransform(PartitionedRateLimiter<string> reads) : RequestTransform
    {
        public override async ValueTask ApplyAsync(RequestTransformContext context)
        {
            ArgumentNullException.ThrowIfNull(context);

            var http = context.HttpContext;
            if (!HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method))
            {
                return;
            }

            var lease = await reads.AcquireAsync(CallerOf(http), cancellationToken: http.RequestAborted);
            if (lease.IsAcquired)
            {
                http.Response.RegisterForDispose(lease);
                return;
            }

            lease.Dispose();
            await AccessProblems.TooManyAsync(http, TimeSpan.FromSeconds(1));
        }
    }
}

using Microsoft.AspNetCore.OutputCaching;

namespace Gateway.Caching;

/// <summary>
/// The request the output cache is serving, for the store's wrappers (ASP.NET Core calls <see cref="IOutputCacheStore"/>
/// without it: the client's address for <see cref="CacheAdmission"/>, the end of the request for
/// <see cref="FleetSingleFlight"/>, the offered stale copy): known only inside the output cache, on routes with a cache policy.
/// Not <see cref="IHttpContextAccessor"/>: once that is registered ASP.NET Core stops reusing each connection's
/// <see cref="HttpContext"/> and sets an async local for every request (redirect hits and health checks included):
/// some 470 of a redirect hit's 1,460 bytes.
/// </summary>
internal sealed class CacheRequest
{
    private readonly AsyncLocal<Holder?> _current = new();

    /// <summary>The request being served, inside the output cache; null anywhere else, and once that request has ended.</summary>
    public HttpContext? HttpContext => _current.Value?.Context;

    /// <summary>Runs <paramref name="next"/> (the output cache and what follows) with <paramref name="context"/> as <see cref="HttpContext"/>.</summary>
    public async Task RunAsync(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(next);
        var holder = new Holder { Context = context };
        _current.Value = holder;
        try
        {
            await next(context);
        }
        finally
        {
            // Work started during the request that runs on (a Redis write in the background) inherits the holder:
            // it must not see this context once Kestrel hands it to the connection's next request.
            holder.Context = null;
        }
    }

    /// <summary>
    /// Whether the output cache may run on this request: its endpoint has a cache policy (YARP gives a route's
    /// <c>OutputCachePolicy</c> as <see cref="OutputCacheAttribute"/>; <c>CacheOutput</c> as the policy itself). No base
    /// policies are configured, so nothing else is cached.
    /// </summary>
    public static bool Applies(HttpContext context)
        => context.GetEndpoint()?.Metadata is { } metadata
            && (metadata.GetMetadata<OutputCacheAttribute>() is not null || metadata.GetMetadata<IOutputCachePolicy>() is not null);

    private sealed class Holder
    {
        public HttpContext? Context { get; set; }
    }
}

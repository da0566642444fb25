using Microsoft.Extensions.Options;

namespace Gateway.Redirects;

/// <summary>
/// The first stage of the pipeline: a request whose path is in the table is answered at once with 307/308 and
/// <c>Location</c>. A miss is one lookup in memory, no allocation and no network.
/// </summary>
internal sealed class RedirectMiddleware(RequestDelegate next, RedirectSnapshot snapshot, RedirectMetrics metrics, IOptionsMonitor<RedirectOptions> options)
{
    public Task InvokeAsync(HttpContext context)
    {
        var table = snapshot.Current;
        if (table.Count == 0 || !table.TryResolve(context.Request.Path.Value, options.CurrentValue.MaxChain, out var entry, out var matched))
        {
            metrics.Miss();
            return next(context);
        }

        matched.Hit(DateTime.UtcNow.Ticks);
        metrics.Hit();
        context.Response.StatusCode = entry.StatusCode;
        context.Response.Headers.Location = Location(entry, context.Request.QueryString);
        return Task.CompletedTask;
    }

    internal static string Location(RedirectEntry entry, QueryString query)
    {
        var destination = RedirectUri.ToAscii(entry.Destination);
        if (!entry.KeepsQuery || !query.HasValue)
        {
            return destination;
        }

        var fragment = destination.IndexOf('#', StringComparison.Ordinal);
        var (target, hash) = fragment >= 0 ? (destination[..fragment], destination[fragment..]) : (destination, "");
        var separator = target.Contains('?', StringComparison.Ordinal) ? "&" : "?";
        return string.Concat(target, separator, query.Value.AsSpan(1), hash);
    }
}

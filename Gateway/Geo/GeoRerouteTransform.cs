using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Transforms;

namespace Gateway.Geo;

/// <summary>
/// Before anything goes to Strapi: finds the client's country (<see cref="ICountryResolver"/>s in order) and, when
/// <see cref="GeoOptions.Routes"/> sends that country elsewhere, answers <c>302</c> there with
/// <c>Cache-Control: private</c>, the query string kept. Everyone else is forwarded (see <see cref="GeoPrivateResponseTransform"/>).
/// </summary>
internal sealed partial class GeoRerouteTransform(
    IEnumerable<ICountryResolver> resolvers,
    IOptionsMonitor<GeoOptions> options,
    GeoMetrics metrics,
    ILogger<GeoRerouteTransform> logger) : RequestTransform
{
    private readonly ICountryResolver[] _resolvers = [.. resolvers];

    public override async ValueTask ApplyAsync(RequestTransformContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        var http = context.HttpContext;
        var client = ClientAddressFeature.Of(http);
        if (client is null)
        {
            return;
        }

        string? country = null;
        var source = GeoMetrics.NoSource;
        foreach (var resolver in _resolvers)
        {
            country = await resolver.ResolveAsync(http, client, context.CancellationToken);
            if (country is not null)
            {
                source = resolver.Name;
                LogResolved(logger, country, resolver.Name);
                break;
            }
        }

        if (country is null || !options.CurrentValue.Routes.TryGetValue(country, out var destination))
        {
            metrics.Decided(source, rerouted: false);
            return;
        }

        metrics.Decided(source, rerouted: true);

        http.Response.StatusCode = StatusCodes.Status302Found;
        http.Response.Headers.Location = destination + http.Request.QueryString;
        http.Response.Headers.CacheControl = GeoPrivateResponseTransform.Private;
    }

    [LoggerMessage(EventId = 7020, Level = LogLevel.Debug, Message = "Client country {Country} from the {Resolver}")]
    private static partial void LogResolved(ILogger logger, string country, string resolver);
}

using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Gateway.Strapi;

/// <summary>The Strapi transforms as code, for routes built in code rather than in <c>yarp.json</c>.</summary>
internal static class StrapiTransformExtensions
{
    public static TransformBuilderContext AddStrapiDocumentIdGuard(this TransformBuilderContext context, string routeValueName, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrWhiteSpace(routeValueName);
        ArgumentNullException.ThrowIfNull(loggers);

        context.RequestTransforms.Add(new DocumentIdGuardTransform(routeValueName, loggers.CreateLogger<DocumentIdGuardTransform>()));
        return context;
    }

    public static TransformBuilderContext AddStrapiDataEnvelope(this TransformBuilderContext context, IOptionsMonitor<StrapiOptions> options, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);

        context.RequestTransforms.Add(new DataEnvelopeTransform(options, loggers.CreateLogger<DataEnvelopeTransform>()));
        return context;
    }

    /// <summary>The query policy of <paramref name="collection"/>, checked where the route lists it (first, so before the CSV export and the EUR view rewrite the query).</summary>
    public static TransformBuilderContext AddStrapiQueryPolicy(this TransformBuilderContext context, string collection, bool otherKeysAreTheRoutes,
        StrapiQueryPolicy policy, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrWhiteSpace(collection);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(loggers);

        context.RequestTransforms.Add(new StrapiQueryTransform(collection, otherKeysAreTheRoutes, policy, loggers.CreateLogger<StrapiQueryTransform>()));
        return context;
    }

    public static TransformBuilderContext AddStrapiToken(this TransformBuilderContext context, IOptionsMonitor<StrapiOptions> options)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(options);

        context.RequestTransforms.Add(new StrapiTokenTransform(options));
        return context;
    }
}

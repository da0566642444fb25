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

    public static TransformBuilderContext AddStrapiToken(this TransformBuilderContext context, IOptionsMonitor<StrapiOptions> options)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(options);

        context.RequestTransforms.Add(new StrapiTokenTransform(options));
        return context;
    }
}

using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Gateway.Strapi;

/// <summary>
/// The Strapi transforms as <c>yarp.json</c> names them:
/// <c>{ "StrapiDocumentId": "documentId" }</c> guards that route value, and
/// <c>{ "StrapiDataEnvelope": "wrap" }</c> wraps POST and PUT bodies in <c>{"data":…}</c>.
/// </summary>
internal sealed class StrapiTransformFactory(IOptionsMonitor<StrapiOptions> options, ILoggerFactory loggers) : ITransformFactory
{
    internal const string DocumentIdKey = "StrapiDocumentId";
    internal const string DataEnvelopeKey = "StrapiDataEnvelope";
    internal const string DataEnvelopeWrap = "wrap";

    public bool Validate(TransformRouteValidationContext context, IReadOnlyDictionary<string, string> transformValues)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(transformValues);

        if (transformValues.TryGetValue(DocumentIdKey, out var routeValue))
        {
            ExpectSingleKey(context, transformValues, DocumentIdKey);
            if (string.IsNullOrWhiteSpace(routeValue))
            {
                context.Errors.Add(new ArgumentException($"{DocumentIdKey} names the route value to check, e.g. \"documentId\"."));
            }

            return true;
        }

        if (transformValues.TryGetValue(DataEnvelopeKey, out var mode))
        {
            ExpectSingleKey(context, transformValues, DataEnvelopeKey);
            if (!string.Equals(mode, DataEnvelopeWrap, StringComparison.OrdinalIgnoreCase))
            {
                context.Errors.Add(new ArgumentException($"{DataEnvelopeKey} takes the value \"{DataEnvelopeWrap}\", not \"{mode}\"."));
            }

            return true;
        }

        return false;
    }

    public bool Build(TransformBuilderContext context, IReadOnlyDictionary<string, string> transformValues)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(transformValues);

        if (transformValues.TryGetValue(DocumentIdKey, out var routeValue))
        {
            context.AddStrapiDocumentIdGuard(routeValue, loggers);
            return true;
        }

        if (transformValues.TryGetValue(DataEnvelopeKey, out var mode))
        {
            if (!string.Equals(mode, DataEnvelopeWrap, StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"{DataEnvelopeKey} takes the value \"{DataEnvelopeWrap}\", not \"{mode}\".");
            }

            context.AddStrapiDataEnvelope(options, loggers);
            return true;
        }

        return false;
    }

    private static void ExpectSingleKey(TransformRouteValidationContext context, IReadOnlyDictionary<string, string> values, string key)
    {
        if (values.Count != 1)
        {
            context.Errors.Add(new ArgumentException($"The {key} transform takes no other keys."));
        }
    }
}

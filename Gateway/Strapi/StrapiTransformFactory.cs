using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Gateway.Strapi;

/// <summary>
/// The Strapi transforms as <c>yarp.json</c> names them:
/// <c>{ "StrapiDocumentId": "documentId" }</c> guards that route value, and
/// <c>{ "StrapiDataEnvelope": "wrap" }</c> wraps POST and PUT bodies in <c>{"data":…}</c>, and
/// <c>{ "StrapiQuery": "invoices" }</c> checks the client's query against that collection's policy
/// (<c>StrapiQuery:Collections:invoices</c>); with <c>"OtherKeys": "route"</c> the keys that are not Strapi's are left
/// to the route's own transforms (the CSV export, the EUR view) instead of refused.
/// </summary>
internal sealed class StrapiTransformFactory(IOptionsMonitor<StrapiOptions> options, StrapiQueryPolicy queries, ILoggerFactory loggers) : ITransformFactory
{
    internal const string DocumentIdKey = "StrapiDocumentId";
    internal const string DataEnvelopeKey = "StrapiDataEnvelope";
    internal const string DataEnvelopeWrap = "wrap";
    internal const string QueryKey = "StrapiQuery";
    internal const string OtherKeysKey = "OtherKeys";
    internal const string OtherKeysRoute = "route";
    internal const string OtherKeysRefuse = "refuse";

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

        if (transformValues.TryGetValue(QueryKey, out var collection))
        {
            if (QueryError(transformValues, collection) is { } error)
            {
                context.Errors.Add(new ArgumentException(error));
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

        if (transformValues.TryGetValue(QueryKey, out var collection))
        {
            if (QueryError(transformValues, collection) is { } error)
            {
                throw new ArgumentException(error);
            }

            var routes = transformValues.TryGetValue(OtherKeysKey, out var other) && string.Equals(other, OtherKeysRoute, StringComparison.OrdinalIgnoreCase);
            context.AddStrapiQueryPolicy(collection, routes, queries, loggers);
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

    private string? QueryError(IReadOnlyDictionary<string, string> values, string collection)
    {
        if (!queries.Knows(collection))
        {
            return $"{QueryKey}: no StrapiQuery:Collections:{collection} is configured.";
        }

        var other = values.TryGetValue(OtherKeysKey, out var value) ? value : OtherKeysRefuse;
        if (values.Keys.Any(key => key is not (QueryKey or OtherKeysKey))
            || !(string.Equals(other, OtherKeysRoute, StringComparison.OrdinalIgnoreCase) || string.Equals(other, OtherKeysRefuse, StringComparison.OrdinalIgnoreCase)))
        {
            return $"The {QueryKey} transform takes only {OtherKeysKey}: \"{OtherKeysRefuse}\" (the default) or \"{OtherKeysRoute}\".";
        }

        return null;
    }

    private static void ExpectSingleKey(TransformRouteValidationContext context, IReadOnlyDictionary<string, string> values, string key)
    {
        if (values.Count != 1)
        {
            context.Errors.Add(new ArgumentException($"The {key} transform takes no other keys."));
        }
    }
}

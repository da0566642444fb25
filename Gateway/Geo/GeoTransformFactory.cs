using Yarp.ReverseProxy.Transforms.Builder;

namespace Gateway.Geo;

/// <summary><c>{ "GeoReroute": "country" }</c> in <c>yarp.json</c>: the route reroutes by the client's country (<see cref="GeoOptions.Routes"/>).</summary>
internal sealed class GeoTransformFactory(GeoRerouteTransform reroute) : ITransformFactory
{
    internal const string Key = "GeoReroute";
    internal const string ByCountry = "country";

    public bool Validate(TransformRouteValidationContext context, IReadOnlyDictionary<string, string> transformValues)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(transformValues);

        if (!transformValues.TryGetValue(Key, out var value))
        {
            return false;
        }

        if (transformValues.Count != 1 || !string.Equals(value, ByCountry, StringComparison.OrdinalIgnoreCase))
        {
            context.Errors.Add(new ArgumentException($"{Key} takes the single value \"{ByCountry}\"."));
        }

        return true;
    }

    public bool Build(TransformBuilderContext context, IReadOnlyDictionary<string, string> transformValues)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(transformValues);

        if (!transformValues.TryGetValue(Key, out var value))
        {
            return false;
        }

        if (!string.Equals(value, ByCountry, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"{Key} takes the single value \"{ByCountry}\".");
        }

        context.RequestTransforms.Add(reroute);
        context.ResponseTransforms.Add(new GeoPrivateResponseTransform());
        return true;
    }
}

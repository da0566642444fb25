using Gateway.Strapi;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Gateway.Csv;

/// <summary>
/// The CSV export as <c>yarp.json</c> names it: <c>{ "StrapiCsvExport": "invoices" }</c> on a GET route to the
/// Strapi cluster whose path is set to the Strapi collection.
/// </summary>
internal sealed class CsvExportTransformFactory : ITransformFactory
{
    internal const string Key = "StrapiCsvExport";

    public bool Validate(TransformRouteValidationContext context, IReadOnlyDictionary<string, string> transformValues)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(transformValues);

        if (!transformValues.TryGetValue(Key, out var name))
        {
            return false;
        }

        if (transformValues.Count != 1)
        {
            context.Errors.Add(new ArgumentException($"The {Key} transform takes no other keys."));
        }

        if (CsvExport.Find(name) is null)
        {
            context.Errors.Add(Unknown(name));
        }

        if (!string.Equals(context.Route.ClusterId, StrapiOptions.ClusterId, StringComparison.OrdinalIgnoreCase))
        {
            context.Errors.Add(new ArgumentException($"The {Key} transform reads Strapi pages: its route must use the \"{StrapiOptions.ClusterId}\" cluster."));
        }

        return true;
    }

    public bool Build(TransformBuilderContext context, IReadOnlyDictionary<string, string> transformValues)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(transformValues);

        if (!transformValues.TryGetValue(Key, out var name))
        {
            return false;
        }

        context.AddStrapiCsvExport(CsvExport.Find(name) ?? throw Unknown(name));
        return true;
    }

    private static ArgumentException Unknown(string name)
        => new($"{Key} names an export ({CsvExport.KnownNames}), not \"{name}\".");
}

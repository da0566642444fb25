using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Gateway.Csv;

/// <summary>The CSV export as code, for routes built in code rather than in <c>yarp.json</c>.</summary>
internal static class CsvExportTransformExtensions
{
    /// <summary>Makes the route's GET an export of every item Strapi lists, as CSV (see <see cref="CsvExportResponseTransform"/>).</summary>
    public static TransformBuilderContext AddStrapiCsvExport(this TransformBuilderContext context, CsvExport export)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(export);

        var services = context.Services;
        var metrics = services.GetRequiredService<CsvMetrics>();
        context.RequestTransforms.Add(new CsvExportRequestTransform(export, metrics));
        context.ResponseTransforms.Add(new CsvExportResponseTransform(export,
            services.GetRequiredService<IOptionsMonitor<CsvOptions>>(), metrics,
            services.GetRequiredService<ILoggerFactory>().CreateLogger<CsvExportResponseTransform>()));
        return context;
    }
}

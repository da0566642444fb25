using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Transforms;

namespace Gateway.Csv;

/// <summary>
/// Turns the client's export request into a request for page 1 (see <see cref="StrapiPageQuery"/>), and asks for an
/// uncompressed answer: the gateway reads the pages itself.
/// </summary>
internal sealed class CsvExportRequestTransform(CsvExport export) : RequestTransform
{
    public CsvExport Export { get; } = export;

    public override ValueTask ApplyAsync(RequestTransformContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        StrapiPageQuery.Apply(context.Query, Export);
        context.ProxyRequest.Headers.Remove(HeaderNames.AcceptEncoding);
        return ValueTask.CompletedTask;
    }
}

using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Transforms;

namespace Gateway.Csv;

/// <summary>
/// Turns the client's export request into a request for page 1 (see <see cref="StrapiPageQuery"/>), and asks for an
/// uncompressed answer: the gateway reads the pages itself. A prefetch (<see cref="Prefetch"/>) is answered at once
/// with <c>204</c> and <c>Cache-Control: no-store</c> and never reaches Strapi: the dashboard's download link is
/// prefetched on every view of its page, and an export is only for the click. 204 rather than an error, because a
/// prefetch that fails is retried or logged by the browser; no-store, so the empty answer is never taken for the file.
/// </summary>
internal sealed class CsvExportRequestTransform(CsvExport export, CsvMetrics metrics) : RequestTransform
{
    public CsvExport Export { get; } = export;

    public override ValueTask ApplyAsync(RequestTransformContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        var response = context.HttpContext.Response;
        if (Prefetch.Is(context.HttpContext.Request.Headers))
        {
            metrics.Prefetched(Export.Name);
            response.StatusCode = StatusCodes.Status204NoContent;
            response.Headers.CacheControl = "no-store";
            response.Headers.Vary = "RSC, Next-Router-Prefetch, Purpose, Sec-Purpose";
            return ValueTask.CompletedTask;
        }

        StrapiPageQuery.Apply(context.Query, Export);
        context.ProxyRequest.Headers.Remove(HeaderNames.AcceptEncoding);
        return ValueTask.CompletedTask;
    }
}

using System.Collections.Concurrent;
using Gateway.Strapi;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Model;

namespace Gateway.Compression;

/// <summary>
/// ASP.NET Core's choice of coding (<c>Accept-Encoding</c> with q-values; <c>br</c> before <c>gzip</c> on a tie),
/// remembered per header value, and narrowed to what the gateway compresses: answers on routes to Strapi (its JSON, the
/// CSV export, the EUR view) and problem answers, of the types <see cref="CompressionExtensions"/> names, unless they say
/// they are shorter than <see cref="CompressionOptions.MinimumBodyBytes"/>. An answer the response cache is to keep is
/// compressed once, at the stored level (<see cref="CompressionOptions.StoredBrotliQuality"/>); the others at the faster
/// one. The gateway's own endpoints (sign-in, sessions, redirects, health) and the frontend's pages are never compressed
/// here (README "Compression": BREACH).
/// </summary>
internal sealed class GatewayCompressionProvider(
    IServiceProvider services,
    IOptions<ResponseCompressionOptions> compression,
    IOptions<CompressionOptions> options,
    CompressionMetrics metrics) : ResponseCompressionProvider(services, compression)
{
    /// <summary>Distinct <c>Accept-Encoding</c> values remembered; clients send a handful, the rest is parsed each time.</summary>
    private const int RememberedValues = 256;

    private readonly ConcurrentDictionary<string, ICompressionProvider?> _chosen = new(StringComparer.Ordinal);
    private readonly CompressionOptions _options = options.Value;
    private readonly ContentCoding _storedBrotli = ContentCoding.ForBrotli(options.Value.StoredBrotliQuality, metrics);
    private readonly ContentCoding _storedGzip = ContentCoding.ForGzip(options.Value.StoredGzipLevel, metrics);

    /// <summary>The coding an answer to this request goes out in: <c>br</c>, <c>gzip</c> or <c>identity</c>.</summary>
    public string CodingOf(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return _options.Enabled && CheckRequestAcceptsCompression(context)
            ? Negotiate(context)?.EncodingName ?? ContentCoding.Identity
            : ContentCoding.Identity;
    }

    public override ICompressionProvider? GetCompressionProvider(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var chosen = Negotiate(context);
        if (chosen is null || context.Features.Get<IOutputCacheFeature>()?.Context is not { EnableOutputCaching: true, AllowCacheStorage: true })
        {
            return chosen;
        }

        return chosen.EncodingName switch
        {
            ContentCoding.Brotli => _storedBrotli,
            ContentCoding.Gzip => _storedGzip,
            _ => chosen,
        };
    }

    public override bool ShouldCompressResponse(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = context.Response;
        if (!_options.Enabled || response.ContentLength < _options.MinimumBodyBytes)
        {
            return false;
        }

        var strapi = context.GetEndpoint()?.Metadata.GetMetadata<RouteModel>()?.Config.ClusterId == StrapiOptions.ClusterId;
        return (strapi || IsProblem(response.ContentType)) && base.ShouldCompressResponse(context);
    }

    private ICompressionProvider? Negotiate(HttpContext context)
    {
        var accept = context.Request.Headers.AcceptEncoding.ToString();
        if (_chosen.TryGetValue(accept, out var chosen))
        {
            return chosen;
        }

        chosen = base.GetCompressionProvider(context);
        if (_chosen.Count < RememberedValues)
        {
            _chosen.TryAdd(accept, chosen);
        }

        return chosen;
    }

    private static bool IsProblem(string? contentType)
        => contentType is not null && contentType.StartsWith(CompressionExtensions.ProblemJson, StringComparison.OrdinalIgnoreCase);
}

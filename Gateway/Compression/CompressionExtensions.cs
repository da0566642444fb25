using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Gateway.Compression;

internal static class CompressionExtensions
{
    public const string ProblemJson = "application/problem+json";

    /// <summary>What is compressed: JSON (Strapi's, the EUR view's), problem details, and the CSV export.</summary>
    private static readonly string[] Compressible = ["application/json", "text/json", ProblemJson, "text/csv"];

    /// <summary>ASP.NET Core's response compression with the gateway's codings, levels and choice of answers.</summary>
    public static IServiceCollection AddGatewayCompression(this IServiceCollection services)
    {
        services.AddOptions<CompressionOptions>().BindConfiguration(CompressionOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<CompressionMetrics>();
        services.AddResponseCompression();
        services.AddOptions<ResponseCompressionOptions>().Configure<CompressionMetrics, IOptions<CompressionOptions>>((compression, metrics, options) =>
        {
            // Over HTTPS too: what is compressed carries no secret beside a reflected value (README "Compression": BREACH).
            compression.EnableForHttps = true;
            compression.MimeTypes = Compressible;
            compression.Providers.Add(ContentCoding.ForBrotli(options.Value.BrotliQuality, metrics));
            compression.Providers.Add(ContentCoding.ForGzip(options.Value.GzipLevel, metrics));
        });
        services.AddSingleton<GatewayCompressionProvider>();
        services.Replace(ServiceDescriptor.Singleton<IResponseCompressionProvider>(sp => sp.GetRequiredService<GatewayCompressionProvider>()));
        return services;
    }

    /// <summary>
    /// Inside the response cache, so it keeps answers as they were compressed and serves them without compressing again
    /// (its key has the coding: <see cref="CodingOf"/>). A request without <c>Accept-Encoding</c> is taken as
    /// <c>identity</c>, so its answer says <c>Vary: Accept-Encoding</c> too.
    /// </summary>
    public static WebApplication UseGatewayCompression(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!app.Services.GetRequiredService<IOptions<CompressionOptions>>().Value.Enabled)
        {
            return app;
        }

        app.Use(static next => context =>
        {
            if (StringValues.IsNullOrEmpty(context.Request.Headers.AcceptEncoding))
            {
                context.Request.Headers.AcceptEncoding = ContentCoding.Identity;
            }

            return next(context);
        });
        app.UseResponseCompression();
        return app;
    }

    /// <summary>The coding the answer to this request goes out in (<c>br</c>, <c>gzip</c>, <c>identity</c>), for the cache key.</summary>
    public static string CodingOf(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.RequestServices.GetService<GatewayCompressionProvider>()?.CodingOf(context) ?? ContentCoding.Identity;
    }
}

using Microsoft.AspNetCore.Http.Metadata;

namespace Gateway.Hosting;

/// <summary>
/// The most bytes an endpoint reads of a request body, as ASP.NET Core's own metadata: routing sets the request's
/// <c>MaxRequestBodySize</c> from it, so Kestrel stops reading at the limit whether the body comes with a
/// <c>Content-Length</c> or chunked, and the read fails with a 413 <see cref="BadHttpRequestException"/>, which
/// <see cref="BadRequestExceptionHandler"/> answers as a problem. Memory stays bounded by the limit.
/// </summary>
internal sealed class BodyLimit(Func<long> bytes) : IRequestSizeLimitMetadata
{
    /// <summary>Read when a request arrives (so a limit from options is not resolved, and validated, while mapping).</summary>
    public long? MaxRequestBodySize => bytes();
}

internal static class BodyLimitExtensions
{
    public static TBuilder WithBodyLimit<TBuilder>(this TBuilder builder, long bytes)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytes);
        return builder.WithBodyLimit(() => bytes);
    }

    public static TBuilder WithBodyLimit<TBuilder>(this TBuilder builder, Func<long> bytes)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(bytes);

        return builder.WithMetadata(new BodyLimit(bytes));
    }
}

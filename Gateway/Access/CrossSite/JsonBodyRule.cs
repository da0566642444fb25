using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace Gateway.Access;

/// <summary>The body rule of the Strapi routes, for every caller.</summary>
internal static class JsonBodyRule
{
    /// <summary>
    /// In the proxy pipeline: a POST or PUT with a body to the Strapi cluster must say <c>Content-Type: application/json</c>
    /// (a charset allowed), else a 415 problem and nothing forwarded. A body is never relabelled as JSON.
    /// </summary>
    public static IReverseProxyApplicationBuilder UseJsonBodiesToStrapi(this IReverseProxyApplicationBuilder proxy)
    {
        ArgumentNullException.ThrowIfNull(proxy);

        // Not async, and the RequestDelegate overload of Use: a request that passes (nearly all) goes on without a state
        // machine or a closure of its own.
        proxy.Use((context, next) =>
        {
            var request = context.Request;
            if ((HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method))
                && context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true
                && string.Equals(context.GetReverseProxyFeature().Route.Config.ClusterId, Strapi.StrapiOptions.ClusterId, StringComparison.OrdinalIgnoreCase)
                && !IsJson(request.ContentType))
            {
                return Hosting.GatewayProblems.WriteAsync(context, StatusCodes.Status415UnsupportedMediaType, "The body must be JSON",
                    "Send Content-Type: application/json.").AsTask();
            }

            return next(context);
        });
        return proxy;
    }

    internal static bool IsJson(string? contentType)
        => MediaTypeHeaderValue.TryParse(contentType, out var media)
            && media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase);
}

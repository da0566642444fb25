using Microsoft.Net.Http.Headers;

namespace Gateway.Caching.Validators;

/// <summary>
/// Turns an answer not yet started into its <c>304 Not Modified</c>: no body, and of the representation's headers only
/// what RFC 9110 15.4.5 keeps (<c>ETag</c>, <c>Cache-Control</c>, <c>Vary</c>… stay; the <c>Content-*</c> ones go).
/// </summary>
internal static class NotModified
{
    private static readonly string[] ContentHeaders =
        [HeaderNames.ContentType, HeaderNames.ContentLength, HeaderNames.ContentEncoding, HeaderNames.ContentLanguage, HeaderNames.ContentRange];

    public static void Apply(HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.StatusCode = StatusCodes.Status304NotModified;
        foreach (var name in ContentHeaders)
        {
            response.Headers.Remove(name);
        }
    }
}

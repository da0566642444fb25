using System.IO.Compression;
using System.Text;

namespace Gateway.Tests.Infrastructure;

/// <summary>A request with a chosen <c>Accept-Encoding</c>, and its answer decoded by .NET's own decoders (not the gateway's code).</summary>
internal static class ContentDecoding
{
    public static async Task<HttpResponseMessage> SendAsync(HttpClient client, string path, string? acceptEncoding, HttpMethod? method = null,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Get, path);
        if (acceptEncoding is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
        }

        return await client.SendAsync(request, completion);
    }

    /// <summary>The <c>Content-Encoding</c> of the answer, or null.</summary>
    public static string? EncodingOf(HttpResponseMessage response) => response.Content.Headers.ContentEncoding.SingleOrDefault();

    public static bool VariesByAcceptEncoding(HttpResponseMessage response)
        => response.Headers.Vary.Contains("Accept-Encoding", StringComparer.OrdinalIgnoreCase);

    /// <summary>The body stream decoded as its <c>Content-Encoding</c> says.</summary>
    public static Stream Decode(Stream body, string? encoding) => encoding switch
    {
        null => body,
        "br" => new BrotliStream(body, CompressionMode.Decompress),
        "gzip" => new GZipStream(body, CompressionMode.Decompress),
        _ => throw new InvalidOperationException($"unexpected Content-Encoding {encoding}"),
    };

    public static async Task<string> DecodedTextAsync(HttpResponseMessage response)
    {
        await using var decoded = Decode(await response.Content.ReadAsStreamAsync(), EncodingOf(response));
        using var reader = new StreamReader(decoded, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }
}

using System.Buffers.Text;
using System.IO.Hashing;
using Gateway.Compression;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Gateway.Caching.Validators;

/// <summary>
/// The gateway's <c>ETag</c>: a strong validator, the 128-bit XxHash of the body as sent, base64url in quotes (24
/// characters), and the <c>If-None-Match</c> rule (RFC 9110 13.1.2: weak comparison, <c>*</c> matches any answer).
/// </summary>
internal static class EntityTag
{
    public static string Of(ReadOnlySpan<byte> body)
    {
        Span<byte> hash = stackalloc byte[16];
        XxHash128.Hash(body, hash);
        return string.Concat("\"", Base64Url.EncodeToString(hash), "\"");
    }

    /// <summary>
    /// The tag of the body as sent in <paramref name="coding"/> (the gateway compresses after hashing): a strong validator
    /// names one representation, so a gzip or Brotli answer's tag is the identity one with the coding added.
    /// </summary>
    public static string ForCoding(string etag, string coding)
    {
        ArgumentNullException.ThrowIfNull(etag);
        return coding == ContentCoding.Identity || etag.Length < 2 ? etag : string.Concat(etag.AsSpan(0, etag.Length - 1), "-", coding, "\"");
    }

    /// <summary>Whether the request's <c>If-None-Match</c> matches <paramref name="etag"/>: the answer is not modified.</summary>
    public static bool Matches(StringValues ifNoneMatch, string? etag)
    {
        if (StringValues.IsNullOrEmpty(ifNoneMatch) || etag is null
            || !EntityTagHeaderValue.TryParseList(ifNoneMatch, out var listed)
            || !EntityTagHeaderValue.TryParse(etag, out var current))
        {
            return false;
        }

        foreach (var tag in listed)
        {
            if (tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(current, useStrongComparison: false))
            {
                return true;
            }
        }

        return false;
    }
}

using System.Globalization;

namespace Gateway.Caching.Stale;

/// <summary>
/// One read's last good answer, as kept for stale-if-error: when it was stored, its <c>Content-Type</c> and <c>ETag</c>,
/// and its body. <see cref="Meta"/> is what goes beside the body in Redis: the three lines <c>v1</c>, the time
/// (Unix milliseconds), the <c>ETag</c> and the <c>Content-Type</c> (header values hold no line breaks).
/// </summary>
internal sealed record StaleCopy(DateTimeOffset Stored, string ETag, string? ContentType, ReadOnlyMemory<byte> Body)
{
    private const string Version = "v1";

    public string Meta => string.Join('\n', Version, Stored.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), ETag, ContentType ?? "");

    /// <summary>The copy from what Redis held, or null when it is not one this version wrote.</summary>
    public static StaleCopy? From(string? meta, ReadOnlyMemory<byte> body)
    {
        var lines = meta?.Split('\n');
        if (lines is not [Version, var stored, var etag, var contentType]
            || !long.TryParse(stored, NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds))
        {
            return null;
        }

        return new StaleCopy(DateTimeOffset.FromUnixTimeMilliseconds(milliseconds), etag, contentType.Length == 0 ? null : contentType, body);
    }
}

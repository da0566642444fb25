using System.Buffers;
using Microsoft.Extensions.Options;

namespace Gateway.Redirects;

/// <summary>
/// Decides whether an entry may enter the table, wherever it comes from (import, CLI, admin API, Redis): the key is a
/// path; the destination is a path on this origin or an http(s) URL to an allowed host; no control characters; no
/// redirect to itself. Cycles across entries are caught by <see cref="RedirectTable"/> (writes refuse them, lookups
/// never serve them).
/// </summary>
internal sealed class RedirectValidator(IOptionsMonitor<RedirectOptions> options)
{
    private const int MaxLength = 2048;
    private static readonly SearchValues<char> Forbidden = SearchValues.Create(
        "\\ \"<>`{}|^" + string.Concat(Enumerable.Range(0, 0x20).Select(c => (char)c)) + "\u007f");

    /// <summary>Null when the entry is acceptable, else why not, in words for an operator.</summary>
    public string? Check(string key, RedirectEntry? entry)
    {
        if (string.IsNullOrEmpty(key) || key[0] != '/' || key.StartsWith("//", StringComparison.Ordinal) || key.Length > MaxLength
            || key.AsSpan().ContainsAny(Forbidden) || RedirectUri.HasForbiddenUnicode(key) || key.Contains('?', StringComparison.Ordinal))
        {
            return "the key must be a request path starting with a single '/', without query, spaces or control characters";
        }

        if (entry is null || string.IsNullOrEmpty(entry.Destination))
        {
            return "the entry needs a destination";
        }

        if (entry.Status is { } status && status is not (301 or 302 or 303 or 307 or 308))
        {
            return "the status must be 301, 302, 303, 307 or 308";
        }

        if (entry.Status is not null && entry.Permanent && !entry.IsPermanent)
        {
            return $"\"permanent\": true contradicts status {entry.Status}";
        }

        if (entry.Match is not (null or RedirectEntry.ExactMatch or RedirectEntry.PrefixMatch))
        {
            return "match must be \"exact\" or \"prefix\"";
        }

        if (entry.IsPrefix && key == "/")
        {
            return "a prefix entry cannot cover every path ('/')";
        }

        if (entry.ExpiredAt(DateTimeOffset.UtcNow))
        {
            return "the entry has expired";
        }

        var destination = entry.Destination;
        if (destination.Length > MaxLength || destination.AsSpan().ContainsAny(Forbidden) || RedirectUri.HasForbiddenUnicode(destination))
        {
            return "the destination contains spaces, control or invisible characters, or others not allowed in a URL";
        }

        if (destination[0] == '/')
        {
            if (destination.StartsWith("//", StringComparison.Ordinal))
            {
                return "a destination starting with '//' would leave this origin";
            }

            if (entry.IsPrefix && Under(RedirectKey.LocalPath(destination), key, entry.IgnoresCase))
            {
                return "a prefix entry that redirects under its own path is a loop";
            }

            return SamePath(key, destination) ? "the entry redirects to itself" : null;
        }

        if (!Uri.TryCreate(destination, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return "the destination must be a path on this origin or an absolute http(s) URL";
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            return "the destination must not carry user information";
        }

        return options.CurrentValue.AllowedHosts.Any(host => string.Equals(host, uri.Host, StringComparison.OrdinalIgnoreCase))
            ? null
            : $"the host '{uri.Host}' is not in Redirects:AllowedHosts";
    }

    private static bool SamePath(string key, string destination) => RedirectKey.LocalPath(destination).SequenceEqual(key);

    private static bool Under(ReadOnlySpan<char> path, string key, bool ignoreCase)
    {
        var comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        return path.StartsWith(key, comparison) && (path.Length == key.Length || path[key.Length] == '/');
    }
}

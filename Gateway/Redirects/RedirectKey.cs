namespace Gateway.Redirects;

/// <summary>
/// Keys are request paths (<c>/api/v1/revenues</c>), compared ordinally, without a trailing slash. The original's
/// keys (the path with <c>/</c> replaced by <c>-</c>: <c>-api-v1-revenues</c>) are read as the path they stand for.
/// </summary>
internal static class RedirectKey
{
    public static string Normalize(string key)
    {
        ArgumentNullException.ThrowIfNull(key);

        if (key.StartsWith('-'))
        {
            key = key.Replace('-', '/');
        }

        var trimmed = ForLookup(key);
        return trimmed.Length == key.Length ? key : trimmed.ToString();
    }

    /// <summary>The key a request path is looked up with; a slice of the path, so no allocation.</summary>
    public static ReadOnlySpan<char> ForLookup(ReadOnlySpan<char> path)
    {
        if (path.Length <= 1 || path[^1] != '/')
        {
            return path;
        }

        var trimmed = path.TrimEnd('/');
        return trimmed.IsEmpty ? "/" : trimmed;
    }

    /// <summary>The path part of a destination that is a path on this origin, or empty for an absolute URL.</summary>
    public static ReadOnlySpan<char> LocalPath(string destination)
    {
        if (destination.Length == 0 || destination[0] != '/')
        {
            return [];
        }

        var path = destination.AsSpan();
        var end = path.IndexOfAny('?', '#');
        return ForLookup(end >= 0 ? path[..end] : path);
    }
}

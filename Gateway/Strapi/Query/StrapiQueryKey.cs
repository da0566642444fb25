namespace Gateway.Strapi;

/// <summary>
/// A query key in the bracket syntax Strapi's parser (qs) reads: <c>filters[customer][name][$eq]</c> is the root
/// <c>filters</c> and the segments <c>customer</c>, <c>name</c>, <c>$eq</c>; <c>fields[]</c> has one empty segment.
/// Anything else (an unclosed bracket, text after a bracket, brackets in a segment) is not a key the policy reads.
/// </summary>
internal readonly record struct StrapiQueryKey(string Root, IReadOnlyList<string> Segments)
{
    /// <summary>Deeper than any key the policy accepts; a longer chain is refused before it is looked at.</summary>
    private const int MaxSegments = 8;

    public static bool TryParse(string key, out StrapiQueryKey parsed)
    {
        parsed = default;
        var open = key.IndexOf('[', StringComparison.Ordinal);
        var root = open < 0 ? key : key[..open];
        if (root.Length == 0 || root.Contains(']', StringComparison.Ordinal))
        {
            return false;
        }

        var segments = new List<string>();
        var at = open;
        while (at >= 0 && at < key.Length)
        {
            if (key[at] != '[' || segments.Count == MaxSegments)
            {
                return false;
            }

            var close = key.IndexOf(']', at + 1);
            if (close < 0)
            {
                return false;
            }

            var segment = key[(at + 1)..close];
            if (segment.Contains('[', StringComparison.Ordinal))
            {
                return false;
            }

            segments.Add(segment);
            at = close + 1;
        }

        parsed = new StrapiQueryKey(root, segments);
        return true;
    }

    /// <summary>An array position: empty (<c>[]</c>) or a small decimal index.</summary>
    public static bool IsIndex(string segment, int max)
        => segment.Length == 0 || (segment.Length <= 4 && segment.All(char.IsAsciiDigit) && int.Parse(segment, System.Globalization.CultureInfo.InvariantCulture) < max);
}

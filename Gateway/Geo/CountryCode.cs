namespace Gateway.Geo;

internal static class CountryCode
{
    /// <summary>
    /// The upper-case ISO 3166 alpha-2 code, or null for anything else, including the CDNs' "unknown" codes
    /// (Cloudflare's <c>XX</c> and <c>T1</c> for Tor).
    /// </summary>
    public static string? Normalize(string? value)
    {
        if (value is not { Length: 2 } || !char.IsAsciiLetter(value[0]) || !char.IsAsciiLetter(value[1]))
        {
            return null;
        }

        var code = value.ToUpperInvariant();
        return code is "XX" or "T1" ? null : code;
    }
}

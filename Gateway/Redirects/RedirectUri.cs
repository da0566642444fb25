using System.Globalization;
using System.Text;

namespace Gateway.Redirects;

/// <summary>
/// What a destination may hold beyond ASCII, and how it goes out in <c>Location</c>: a header carries ASCII only, so
/// every non-ASCII character is percent-encoded as UTF-8 (RFC 3986 §2.5, as browsers do: <c>/café</c> →
/// <c>/caf%C3%A9</c>, <c>/／x</c> → <c>/%EF%BC%8Fx</c>), and the host of an absolute URL goes in its IDNA form.
/// Characters that are invisible or break lines (controls, format characters such as U+200B or bidi marks, U+2028,
/// U+2029, and every space, NBSP included) are refused on write instead: in a URL they are spoofing or a mistake.
/// </summary>
internal static class RedirectUri
{
    /// <summary>True when <paramref name="text"/> holds a non-ASCII character that no key or destination may hold.</summary>
    public static bool HasForbiddenUnicode(ReadOnlySpan<char> text)
    {
        if (Ascii.IsValid(text))
        {
            return false;
        }

        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] < 0x80)
            {
                continue;
            }

            if (Rune.DecodeFromUtf16(text[i..], out var rune, out var used) != System.Buffers.OperationStatus.Done)
            {
                return true; // a lone surrogate
            }

            i += used - 1;
            switch (Rune.GetUnicodeCategory(rune))
            {
                case UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
                    or UnicodeCategory.ParagraphSeparator or UnicodeCategory.SpaceSeparator or UnicodeCategory.Surrogate
                    or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned:
                    return true;
            }
        }

        return false;
    }

    /// <summary><paramref name="destination"/> itself when it is ASCII (no allocation); else its percent-encoded form.</summary>
    public static string ToAscii(string destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (Ascii.IsValid(destination))
        {
            return destination;
        }

        var builder = new StringBuilder(destination.Length * 3);
        var rest = destination.AsSpan();
        if (destination[0] != '/' && Uri.TryCreate(destination, UriKind.Absolute, out var uri))
        {
            var authority = uri.Scheme.Length + 3;
            var end = rest[authority..].IndexOfAny('/', '?', '#');
            builder.Append(uri.Scheme).Append("://").Append(uri.IdnHost);
            if (!uri.IsDefaultPort)
            {
                builder.Append(':').Append(uri.Port.ToString(CultureInfo.InvariantCulture));
            }

            rest = end < 0 ? [] : rest[(authority + end)..];
        }

        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in rest.EnumerateRunes())
        {
            if (rune.IsAscii)
            {
                builder.Append((char)rune.Value);
                continue;
            }

            var length = rune.EncodeToUtf8(utf8);
            for (var i = 0; i < length; i++)
            {
                builder.Append('%').Append(utf8[i].ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }
}

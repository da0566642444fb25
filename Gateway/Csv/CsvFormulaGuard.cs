using System.Buffers;
using System.Globalization;
using System.Text;

namespace Gateway.Csv;

/// <summary>
/// Decides which text cells a spreadsheet could run as a formula. CsvHelper's own check looks at the first character
/// only; spreadsheets also run <c>   =HYPERLINK(…)</c> (leading spaces, NBSP, a line break before the sign) and the
/// full-width and small forms of the signs (<c>＝ ＋ － ＠</c>, <c>﹦ ﹢ ﹣ ﹫</c>), which some of them fold to ASCII.
/// </summary>
internal static class CsvFormulaGuard
{
    /// <summary>What goes in front of a dangerous cell, so a spreadsheet shows it as text.</summary>
    public const string Escape = "'";

    /// <summary><see cref="Escape"/> as UTF-8.</summary>
    public static ReadOnlySpan<byte> EscapeUtf8 => "'"u8;

    /// <summary>A tab or CR first is dangerous even alone: some spreadsheets drop it and read what follows.</summary>
    private const string LeadingControls = "\t\r";

    private static readonly SearchValues<char> Signs = SearchValues.Create("=+-@\uFF1D\uFF0B\uFF0D\uFF20\uFE66\uFE62\uFE63\uFE6B");

    /// <summary>True when <paramref name="text"/> starts, after any white space or invisible format characters, with a formula sign.</summary>
    public static bool IsDangerous(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return false;
        }

        if (LeadingControls.Contains(text[0], StringComparison.Ordinal))
        {
            return true;
        }

        foreach (var c in text)
        {
            if (Signs.Contains(c))
            {
                return true;
            }

            if (!char.IsWhiteSpace(c) && CharUnicodeInfo.GetUnicodeCategory(c) is not (UnicodeCategory.Format or UnicodeCategory.Control))
            {
                return false;
            }
        }

        return false;
    }

    /// <summary>
    /// <see cref="IsDangerous(ReadOnlySpan{char})"/> for valid UTF-8, decoding only as far as it must: a first byte that is
    /// printable ASCII decides at once (a sign, or any other visible character); otherwise the characters are taken one
    /// by one as the UTF-16 check takes them (a character beyond U+FFFF is a surrogate there, which ends the check).
    /// </summary>
    public static bool IsDangerous(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return false;
        }

        var first = utf8[0];
        if (first is > (byte)' ' and < 0x7F)
        {
            return first is (byte)'=' or (byte)'+' or (byte)'-' or (byte)'@';
        }

        if (first is (byte)'\t' or (byte)'\r')
        {
            return true;
        }

        while (!utf8.IsEmpty && Rune.DecodeFromUtf8(utf8, out var rune, out var length) == OperationStatus.Done)
        {
            if (!rune.IsBmp)
            {
                return false;
            }

            var c = (char)rune.Value;
            if (Signs.Contains(c))
            {
                return true;
            }

            if (!char.IsWhiteSpace(c) && CharUnicodeInfo.GetUnicodeCategory(c) is not (UnicodeCategory.Format or UnicodeCategory.Control))
            {
                return false;
            }

            utf8 = utf8[length..];
        }

        return false;
    }
}

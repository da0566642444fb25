using System.Globalization;

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

    /// <summary>A tab or CR first is dangerous even alone: some spreadsheets drop it and read what follows.</summary>
    private const string LeadingControls = "\t\r";

    private const string Signs = "=+-@\uFF1D\uFF0B\uFF0D\uFF20\uFE66\uFE62\uFE63\uFE6B";

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
            if (Signs.Contains(c, StringComparison.Ordinal))
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
}

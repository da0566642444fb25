using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using CsvHelper;

namespace Gateway.Csv;

/// <summary>
/// Writes Strapi items as CSV rows, byte for byte as CsvHelper writes them with <see cref="Options"/>: RFC 4180 quoting,
/// CRLF, UTF-8 without BOM, and text cells that a spreadsheet would run as a formula (see <see cref="CsvFormulaGuard"/>)
/// escaped with a leading <c>'</c> and quoted. Values go from the page's UTF-8 JSON to the CSV bytes without a detour
/// through strings: text without JSON escapes is copied as it is. Rows collect in a reused in-memory buffer (one page's
/// worth) that <see cref="CopyToAsync(PipeWriter, CancellationToken)"/> empties into the response, so nothing writes
/// synchronously to the response and memory does not grow with the pages.
/// </summary>
internal sealed class CsvRowWriter : IDisposable
{
    /// <summary>
    /// CsvHelper's defaults are RFC 4180 with CRLF. Its injection check sees the first character only, so text cells go
    /// through <see cref="CsvFormulaGuard"/> instead; numbers, booleans and JSON are never formulas. This writer follows
    /// the same rules itself (the tests hold it to CsvHelper's output); the redirect export writes with these options.
    /// </summary>
    internal static readonly CsvWriterOptions Options = CsvWriterOptions.Default with
    {
        NewLine = "\r\n",
        Injection = CsvInjection.None,
        WriteByteOrderMark = false,
    };

    /// <summary>
    /// What stops the straight copy of JSON text: an escape, a comma (the cell needs quotes) or a non-ASCII byte (the
    /// UTF-8 must be checked). Quotes, CR and LF cannot occur unescaped in JSON text.
    /// </summary>
    private static readonly SearchValues<byte> NotPlain = SearchValues.Create([(byte)'\\', (byte)',', .. Enumerable.Range(0x80, 0x80).Select(b => (byte)b)]);

    private readonly IReadOnlyList<CsvColumn> _columns;
    private readonly CsvColumnTree _tree;
    private readonly JsonElement[] _values;
    private readonly CsvUtf8Buffer _buffer = new();

    public CsvRowWriter(IReadOnlyList<CsvColumn> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);

        _columns = columns;
        _tree = new CsvColumnTree(columns);
        _values = new JsonElement[columns.Count];
    }

    public void WriteHeader()
    {
        for (var i = 0; i < _columns.Count; i++)
        {
            if (i > 0)
            {
                _buffer.WriteSeparator();
            }

            _buffer.WriteText(Encoding.UTF8.GetBytes(_columns[i].Header));
        }

        _buffer.WriteNewLine();
    }

    /// <summary>Writes one row per element of Strapi's <c>data</c> array; returns how many.</summary>
    public int WriteRows(JsonElement items)
    {
        var values = _values.AsSpan();
        var rows = 0;
        foreach (var item in items.EnumerateArray())
        {
            _tree.Resolve(item, values);
            var start = _buffer.Length;
            for (var i = 0; i < values.Length; i++)
            {
                if (i > 0)
                {
                    _buffer.WriteSeparator();
                }

                Write(values[i]);
            }

            if (values.Length == 1 && _buffer.Length == start)
            {
                _buffer.WriteRaw("\"\""u8); // as CsvHelper: a lone empty field, so the record is not an empty line
            }

            _buffer.WriteNewLine();
            rows++;
        }

        return rows;
    }

    private void Write(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                WriteString(value);
                break;
            case JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False:
                _buffer.WriteRaw(JsonMarshal.GetRawUtf8Value(value));
                break;
            case JsonValueKind.Object or JsonValueKind.Array:
                var json = JsonMarshal.GetRawUtf8Value(value);
                if (!Utf8.IsValid(json))
                {
                    _ = value.GetRawText(); // throws, as reading it as text always did
                }

                _buffer.WriteText(json);
                break;
        }
    }

    /// <summary>Text without escapes (the JSON bytes between the quotes are the value) is copied; the rest goes through a string.</summary>
    private void WriteString(JsonElement value)
    {
        var text = JsonMarshal.GetRawUtf8Value(value)[1..^1];
        if (!text.ContainsAny(NotPlain))
        {
            if (CsvFormulaGuard.IsDangerous(text))
            {
                _buffer.WriteQuoted(CsvFormulaGuard.EscapeUtf8, text);
            }
            else
            {
                _buffer.WriteRaw(text); // plain ASCII: nothing to quote
            }
        }
        else if (text.Contains((byte)'\\') || !Utf8.IsValid(text))
        {
            WriteText(value.GetString()!);
        }
        else if (CsvFormulaGuard.IsDangerous(text))
        {
            _buffer.WriteQuoted(CsvFormulaGuard.EscapeUtf8, text);
        }
        else
        {
            _buffer.WriteText(text);
        }
    }

    private void WriteText(string text)
    {
        var utf8 = Encoding.UTF8.GetBytes(text);
        if (CsvFormulaGuard.IsDangerous(text))
        {
            _buffer.WriteQuoted(CsvFormulaGuard.EscapeUtf8, utf8);
        }
        else
        {
            _buffer.WriteText(utf8);
        }
    }

    /// <summary>
    /// Moves what was written so far into <paramref name="destination"/> and flushes it; <c>false</c> when the flush was
    /// cancelled (a pipe reports that in its result rather than by throwing).
    /// </summary>
    public async ValueTask<bool> CopyToAsync(PipeWriter destination, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(destination);

        var result = await destination.WriteAsync(_buffer.Written, cancel);
        _buffer.Clear();
        return !result.IsCanceled;
    }

    /// <summary>Moves what was written so far to <paramref name="destination"/> and empties the buffer.</summary>
    public async ValueTask CopyToAsync(Stream destination, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(destination);

        await destination.WriteAsync(_buffer.Written, cancel);
        _buffer.Clear();
    }

    public void Dispose() => _buffer.Dispose();
}

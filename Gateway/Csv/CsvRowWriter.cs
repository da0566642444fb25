using System.IO.Pipelines;
using System.Runtime.InteropServices;
using System.Text.Json;
using CsvHelper;

namespace Gateway.Csv;

/// <summary>
/// Writes Strapi items as CSV rows with CsvHelper: RFC 4180 quoting, CRLF, UTF-8 without BOM, and text cells that a
/// spreadsheet would run as a formula (see <see cref="CsvFormulaGuard"/>) escaped with a leading <c>'</c> and quoted. Rows collect in a reused in-memory buffer (one page's worth) that <see cref="CopyToAsync"/> empties
/// into the response, so nothing writes synchronously to the response and memory does not grow with the pages.
/// </summary>
internal sealed class CsvRowWriter : IDisposable
{
    /// <summary>
    /// CsvHelper's defaults are RFC 4180 with CRLF. Its injection check sees the first character only, so text cells go
    /// through <see cref="CsvFormulaGuard"/> instead; numbers, booleans and JSON are never formulas.
    /// </summary>
    internal static readonly CsvWriterOptions Options = CsvWriterOptions.Default with
    {
        NewLine = "\r\n",
        Injection = CsvInjection.None,
        WriteByteOrderMark = false,
    };

    private readonly IReadOnlyList<CsvColumn> _columns;
    private readonly MemoryStream _buffer = new();
    private readonly CsvWriter _csv;

    public CsvRowWriter(IReadOnlyList<CsvColumn> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);

        _columns = columns;
        _csv = CsvWriter.Create(_buffer, Options, leaveOpen: true);
    }

    public void WriteHeader()
    {
        foreach (var column in _columns)
        {
            _csv.WriteField(column.Header);
        }

        _csv.EndRecord();
    }

    /// <summary>Writes one row per element of Strapi's <c>data</c> array; returns how many.</summary>
    public int WriteRows(JsonElement items)
    {
        var rows = 0;
        foreach (var item in items.EnumerateArray())
        {
            foreach (var column in _columns)
            {
                if (!column.TryGetValue(item, out var value))
                {
                    _csv.WriteField(string.Empty);
                    continue;
                }

                switch (value.ValueKind)
                {
                    case JsonValueKind.String:
                        WriteText(value.GetString()!);
                        break;
                    case JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False:
                        _csv.WriteField(JsonMarshal.GetRawUtf8Value(value));
                        break;
                    case JsonValueKind.Object or JsonValueKind.Array:
                        _csv.WriteField(value.GetRawText());
                        break;
                    default:
                        _csv.WriteField(string.Empty);
                        break;
                }
            }

            _csv.EndRecord();
            rows++;
        }

        return rows;
    }

    private void WriteText(string text)
    {
        if (CsvFormulaGuard.IsDangerous(text))
        {
            _csv.WriteField(CsvFormulaGuard.Escape + text, CsvQuoting.Always);
        }
        else
        {
            _csv.WriteField(text);
        }
    }

    /// <summary>
    /// Moves what was written so far into <paramref name="destination"/> and flushes it; <c>false</c> when the flush was
    /// cancelled (a pipe reports that in its result rather than by throwing).
    /// </summary>
    public async ValueTask<bool> CopyToAsync(PipeWriter destination, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(destination);

        _csv.Flush();
        var result = await destination.WriteAsync(_buffer.GetBuffer().AsMemory(0, (int)_buffer.Length), cancel);
        _buffer.SetLength(0);
        return !result.IsCanceled;
    }

    /// <summary>Moves what was written so far to <paramref name="destination"/> and empties the buffer.</summary>
    public async ValueTask CopyToAsync(Stream destination, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(destination);

        _csv.Flush();
        await destination.WriteAsync(_buffer.GetBuffer().AsMemory(0, (int)_buffer.Length), cancel);
        _buffer.SetLength(0);
    }

    public void Dispose()
    {
        _csv.Dispose();
        _buffer.Dispose();
    }
}

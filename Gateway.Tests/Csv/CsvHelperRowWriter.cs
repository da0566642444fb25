using System.Runtime.InteropServices;
using System.Text.Json;
using CsvHelper;
using Gateway.Csv;

namespace Gateway.Tests.Csv;

/// <summary>
/// The export's writer as it was before it wrote UTF-8 itself, kept as the reference the tests hold
/// <see cref="CsvRowWriter"/> to, byte for byte: CsvHelper with <see cref="CsvRowWriter.Options"/>, a lookup per column
/// (<see cref="CsvColumn.TryGetValue"/>), every text value read as a string and checked by <see cref="CsvFormulaGuard"/>.
/// </summary>
internal sealed class CsvHelperRowWriter : IDisposable
{
    private readonly IReadOnlyList<CsvColumn> _columns;
    private readonly MemoryStream _buffer = new();
    private readonly CsvWriter _csv;

    public CsvHelperRowWriter(IReadOnlyList<CsvColumn> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);

        _columns = columns;
        _csv = CsvWriter.Create(_buffer, CsvRowWriter.Options, leaveOpen: true);
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

using System.Buffers;

namespace Gateway.Csv;

/// <summary>
/// CSV fields as UTF-8 in a pooled, growing buffer, with the rules CsvHelper's RFC 4180 writer applies
/// (<see cref="CsvRowWriter.Options"/>): a field that contains a comma, a quote, CR or LF is enclosed in quotes with inner
/// quotes doubled; records end with CRLF.
/// </summary>
internal sealed class CsvUtf8Buffer : IDisposable
{
    private static readonly SearchValues<byte> NeedQuotes = SearchValues.Create(",\"\r\n"u8);

    private byte[] _bytes = ArrayPool<byte>.Shared.Rent(32 * 1024);

    public int Length { get; private set; }

    public ReadOnlyMemory<byte> Written => _bytes.AsMemory(0, Length);

    public void Clear() => Length = 0;

    public void WriteSeparator() => WriteByte((byte)',');

    public void WriteNewLine()
    {
        Ensure(2);
        _bytes[Length] = (byte)'\r';
        _bytes[Length + 1] = (byte)'\n';
        Length += 2;
    }

    /// <summary>Copies bytes that need no quotes (a JSON number, <c>true</c>) as they are.</summary>
    public void WriteRaw(ReadOnlySpan<byte> utf8)
    {
        Ensure(utf8.Length);
        utf8.CopyTo(_bytes.AsSpan(Length));
        Length += utf8.Length;
    }

    /// <summary>Writes text, quoted when it contains a comma, a quote, CR or LF.</summary>
    public void WriteText(ReadOnlySpan<byte> utf8)
    {
        if (utf8.ContainsAny(NeedQuotes))
        {
            WriteQuoted([], utf8);
        }
        else
        {
            WriteRaw(utf8);
        }
    }

    /// <summary>Writes <paramref name="prefix"/> and <paramref name="utf8"/> as one field, always quoted, inner quotes doubled.</summary>
    public void WriteQuoted(ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> utf8)
    {
        Ensure(prefix.Length + utf8.Length * 2 + 2);
        var output = _bytes.AsSpan(Length);
        output[0] = (byte)'"';
        prefix.CopyTo(output[1..]);
        var at = 1 + prefix.Length;
        int quote;
        while ((quote = utf8.IndexOf((byte)'"')) >= 0)
        {
            utf8[..(quote + 1)].CopyTo(output[at..]);
            at += quote + 1;
            output[at++] = (byte)'"';
            utf8 = utf8[(quote + 1)..];
        }

        utf8.CopyTo(output[at..]);
        at += utf8.Length;
        output[at++] = (byte)'"';
        Length += at;
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_bytes);
        _bytes = [];
    }

    private void WriteByte(byte value)
    {
        Ensure(1);
        _bytes[Length++] = value;
    }

    private void Ensure(int more)
    {
        if (_bytes.Length - Length >= more)
        {
            return;
        }

        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_bytes.Length * 2, Length + more));
        _bytes.AsSpan(0, Length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_bytes);
        _bytes = larger;
    }
}

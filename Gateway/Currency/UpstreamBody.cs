using System.Buffers;

namespace Gateway.Currency;

/// <summary>An upstream body read into a pooled buffer, returned on dispose.</summary>
internal sealed class UpstreamBody : IDisposable
{
    /// <summary>More than any page Strapi sends (100 items); a larger body is not read.</summary>
    internal const int MaxBytes = 16 * 1024 * 1024;

    private const int InitialBytes = 32 * 1024;

    private byte[] _buffer;
    private int _length;

    private UpstreamBody(byte[] buffer) => _buffer = buffer;

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, _length);

    /// <summary>
    /// The whole body, or <c>null</c> when it is larger than <see cref="MaxBytes"/> or breaks off; throws
    /// <see cref="OperationCanceledException"/> when <paramref name="cancel"/> fires.
    /// </summary>
    public static async Task<UpstreamBody?> TryReadAsync(HttpContent content, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(content);

        var declared = content.Headers.ContentLength;
        if (declared > MaxBytes)
        {
            return null;
        }

        var body = new UpstreamBody(ArrayPool<byte>.Shared.Rent(declared is > 0 ? (int)declared + 1 : InitialBytes));
        try
        {
            await using var stream = await content.ReadAsStreamAsync(cancel);
            int read;
            while ((read = await stream.ReadAsync(body._buffer.AsMemory(body._length), cancel)) > 0)
            {
                body._length += read;
                if (body._length == body._buffer.Length && !body.Grow())
                {
                    body.Dispose();
                    return null;
                }
            }

            return body;
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            body.Dispose();
            return null;
        }
        catch (OperationCanceledException)
        {
            body.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private bool Grow()
    {
        if (_buffer.Length >= MaxBytes)
        {
            return false;
        }

        var larger = ArrayPool<byte>.Shared.Rent(Math.Min(_buffer.Length * 2, MaxBytes));
        _buffer.AsSpan(0, _length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
        return true;
    }
}

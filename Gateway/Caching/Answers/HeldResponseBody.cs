using System.Buffers;

namespace Gateway.Caching.Answers;

/// <summary>
/// The response body while an answer comes from Strapi: at the first write it decides, from the status and headers then
/// set, whether to hold the answer (<c>hold</c>); held bytes stay in memory, up to <c>limit</c>, until
/// <see cref="ReleaseAsync"/>, so the answer can still get an <c>ETag</c>, become a <c>304</c>, or give way to a stale
/// copy. Past the limit (or a <c>Content-Length</c> over it) what was held goes on and the rest streams through.
/// Seekable only to be emptied: <c>HttpResponse.Clear()</c>, as YARP calls it when an answer fails halfway, drops what
/// was held, and the next write decides again. The held bytes are in a buffer rented from the shared pool (the answer of
/// every Strapi read passes here: a new array per answer was the largest allocation of a proxied read), returned when the
/// body is disposed or released: <see cref="Held"/> is valid until then, and must be copied to be kept.
/// </summary>
internal sealed class HeldResponseBody(HttpResponse response, long limit, Func<HttpResponse, bool> hold) : Stream
{
    /// <summary>The first buffer when the answer has no <c>Content-Length</c>; it doubles as the answer grows.</summary>
    private const int FirstBuffer = 16 * 1024;

    private readonly Stream _inner = response.Body;
    private byte[]? _buffer;
    private int _length;
    private bool _decided;
    private bool _passing;

    /// <summary>Raised at the first write: the answer has started arriving.</summary>
    public event Action? Writing;

    /// <summary>The body this one stands in front of.</summary>
    public Stream Inner => _inner;

    /// <summary>Whether the whole answer is still here (nothing passed on yet).</summary>
    public bool Holding => !_passing;

    /// <summary>What is held.</summary>
    public ReadOnlyMemory<byte> Held => _buffer is null ? ReadOnlyMemory<byte>.Empty : _buffer.AsMemory(0, _length);

    public override bool CanRead => false;

    public override bool CanSeek => !_passing;

    public override bool CanWrite => true;

    public override long Length => _length;

    public override long Position
    {
        get => Length;
        set => throw new NotSupportedException();
    }

    /// <summary>Sends what is held on, once; what is written after that streams through.</summary>
    public async Task ReleaseAsync(CancellationToken cancel)
    {
        if (_passing)
        {
            return;
        }

        _passing = _decided = true;
        if (_length > 0)
        {
            await _inner.WriteAsync(Held, cancel);
        }

        ReturnBuffer();
    }

    public override void SetLength(long value)
    {
        if (value != 0 || _passing)
        {
            throw new NotSupportedException();
        }

        _length = 0;
        _decided = false;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (Holds(buffer.Length))
        {
            Append(buffer);
            return;
        }

        if (!_passing)
        {
            _passing = true;
            _inner.Write(Held.Span);
            ReturnBuffer();
        }

        _inner.Write(buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (Holds(buffer.Length))
        {
            Append(buffer.Span);
            return;
        }

        await ReleaseAsync(cancellationToken);
        await _inner.WriteAsync(buffer, cancellationToken);
    }

    public override void Flush()
    {
        if (_passing)
        {
            _inner.Flush();
        }
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => _passing ? _inner.FlushAsync(cancellationToken) : Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <summary>Whether <paramref name="count"/> more bytes are to be held; decides at the first write.</summary>
    private bool Holds(int count)
    {
        if (!_decided)
        {
            _decided = true;
            Writing?.Invoke();
            var length = response.ContentLength;
            _passing = _passing || !hold(response) || length > limit;
            if (!_passing && _buffer is null)
            {
                _buffer = ArrayPool<byte>.Shared.Rent(length is > 0 and var known ? (int)known : (int)Math.Min(FirstBuffer, Math.Max(limit, 1)));
            }
        }

        return !_passing && _length + count <= limit;
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (_length + bytes.Length > _buffer!.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max(_buffer.Length * 2L, _length + (long)bytes.Length), Math.Max(limit, _length + (long)bytes.Length)));
            _buffer.AsSpan(0, _length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    private void ReturnBuffer()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            _length = 0;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Gives the held buffer back to the pool; the body it stands in front of stays open (it is the server's).</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            ReturnBuffer();
        }

        base.Dispose(disposing);
    }
}

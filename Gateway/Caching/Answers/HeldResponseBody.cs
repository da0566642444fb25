namespace Gateway.Caching.Answers;

/// <summary>
/// The response body while an answer comes from Strapi: at the first write it decides, from the status and headers then
/// set, whether to hold the answer (<c>hold</c>); held bytes stay in memory, up to <c>limit</c>, until
/// <see cref="ReleaseAsync"/>, so the answer can still get an <c>ETag</c>, become a <c>304</c>, or give way to a stale
/// copy. Past the limit (or a <c>Content-Length</c> over it) what was held goes on and the rest streams through.
/// Seekable only to be emptied: <c>HttpResponse.Clear()</c>, as YARP calls it when an answer fails halfway, drops what
/// was held, and the next write decides again.
/// </summary>
internal sealed class HeldResponseBody(HttpResponse response, long limit, Func<HttpResponse, bool> hold) : Stream
{
    private readonly Stream _inner = response.Body;
    private MemoryStream? _held;
    private bool _decided;
    private bool _passing;

    /// <summary>Raised at the first write: the answer has started arriving.</summary>
    public event Action? Writing;

    /// <summary>The body this one stands in front of.</summary>
    public Stream Inner => _inner;

    /// <summary>Whether the whole answer is still here (nothing passed on yet).</summary>
    public bool Holding => !_passing;

    /// <summary>What is held.</summary>
    public ReadOnlyMemory<byte> Held => _held is null ? ReadOnlyMemory<byte>.Empty : _held.GetBuffer().AsMemory(0, (int)_held.Length);

    public override bool CanRead => false;

    public override bool CanSeek => !_passing;

    public override bool CanWrite => true;

    public override long Length => _held?.Length ?? 0;

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
        if (_held is { Length: > 0 })
        {
            await _inner.WriteAsync(Held, cancel);
        }

        _held = null;
    }

    public override void SetLength(long value)
    {
        if (value != 0 || _passing)
        {
            throw new NotSupportedException();
        }

        _held = null;
        _decided = false;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (Holds(buffer.Length))
        {
            _held!.Write(buffer);
            return;
        }

        if (!_passing)
        {
            _passing = true;
            _inner.Write(Held.Span);
            _held = null;
        }

        _inner.Write(buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (Holds(buffer.Length))
        {
            _held!.Write(buffer.Span);
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
            if (!_passing)
            {
                _held = new MemoryStream(length is { } known ? (int)known : 0);
            }
        }

        return !_passing && _held!.Length + count <= limit;
    }
}

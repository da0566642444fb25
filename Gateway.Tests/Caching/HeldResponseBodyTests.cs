using Gateway.Caching.Answers;
using Microsoft.AspNetCore.Http;

namespace Gateway.Tests.Caching;

/// <summary>
/// The held body keeps Strapi's answer in a buffer rented from the shared pool: growing past the first buffer, emptied by
/// <c>HttpResponse.Clear()</c>, passed on past its limit, each byte exactly once and in order.
/// </summary>
public sealed class HeldResponseBodyTests
{
    private static readonly byte[] Answer = Enumerable.Range(0, 150_000).Select(i => (byte)(i * 7 + i / 251)).ToArray();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AnswerInUnevenPieces_HeldWhole_ThenReleasedAsWritten(bool contentLength)
    {
        var (http, sent) = Response(contentLength ? Answer.Length : null);
        using var body = new HeldResponseBody(http.Response, limit: 1_000_000, hold: _ => true);

        await WriteInPiecesAsync(body, Answer);

        Assert.True(body.Holding);
        Assert.Equal(Answer, body.Held.ToArray());
        Assert.Equal(0, sent.Length); // nothing went on yet
        await body.ReleaseAsync(CancellationToken.None);
        Assert.Equal(Answer, sent.ToArray());
        Assert.True(body.Held.IsEmpty); // the buffer went back to the pool
    }

    [Fact]
    public async Task EmptiedHalfway_OnlyTheSecondAnswerHeld()
    {
        var (http, sent) = Response(null);
        using var body = new HeldResponseBody(http.Response, limit: 1_000_000, hold: _ => true);

        await WriteInPiecesAsync(body, Answer.AsMemory(0, 40_000));
        body.SetLength(0); // HttpResponse.Clear(), as YARP calls it when an answer fails halfway
        await WriteInPiecesAsync(body, Answer.AsMemory(1_000, 30_000));

        Assert.Equal(Answer.AsSpan(1_000, 30_000).ToArray(), body.Held.ToArray());
        await body.ReleaseAsync(CancellationToken.None);
        Assert.Equal(Answer.AsSpan(1_000, 30_000).ToArray(), sent.ToArray());
    }

    [Fact]
    public async Task PastTheLimit_WhatWasHeldGoesOnFirst_ThenTheRestStreams()
    {
        var (http, sent) = Response(null);
        using var body = new HeldResponseBody(http.Response, limit: 50_000, hold: _ => true);

        await WriteInPiecesAsync(body, Answer);

        Assert.False(body.Holding);
        Assert.Equal(Answer, sent.ToArray());
    }

    private static (HttpContext Http, MemoryStream Sent) Response(long? contentLength)
    {
        var sent = new MemoryStream();
        var http = new DefaultHttpContext();
        http.Response.Body = sent;
        http.Response.ContentLength = contentLength;
        return (http, sent);
    }

    private static async Task WriteInPiecesAsync(HeldResponseBody body, ReadOnlyMemory<byte> bytes)
    {
        var sizes = new[] { 1, 7_001, 333, 16_384, 9_000, 65_536 };
        for (var (offset, i) = (0, 0); offset < bytes.Length; i++)
        {
            var size = Math.Min(sizes[i % sizes.Length], bytes.Length - offset);
            if (i % 2 == 0)
            {
                await body.WriteAsync(bytes.Slice(offset, size));
            }
            else
            {
                body.Write(bytes.Span.Slice(offset, size));
            }

            offset += size;
        }
    }
}

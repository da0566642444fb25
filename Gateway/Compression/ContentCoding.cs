using System.IO.Compression;
using Microsoft.AspNetCore.ResponseCompression;

namespace Gateway.Compression;

/// <summary>
/// The content codings the gateway sends (<c>br</c>, <c>gzip</c>), each made with the level its options name and
/// counted when it starts compressing an answer (<see cref="CompressionMetrics"/>): a response served from the cache as
/// stored never reaches one.
/// </summary>
internal sealed class ContentCoding(string encodingName, Func<Stream, Stream> create, CompressionMetrics metrics)
    : ICompressionProvider
{
    public const string Brotli = "br";
    public const string Gzip = "gzip";
    public const string Identity = "identity";

    public string EncodingName { get; } = encodingName;

    public bool SupportsFlush => true;

    public static ContentCoding ForBrotli(int quality, CompressionMetrics metrics)
    {
        var brotli = new BrotliCompressionOptions { Quality = quality };
        return new ContentCoding(Brotli, output => new BrotliStream(output, brotli, leaveOpen: true), metrics);
    }

    public static ContentCoding ForGzip(int level, CompressionMetrics metrics)
    {
        var zlib = new ZLibCompressionOptions { CompressionLevel = level };
        return new ContentCoding(Gzip, output => new GZipStream(output, zlib, leaveOpen: true), metrics);
    }

    public Stream CreateStream(Stream outputStream)
    {
        metrics.Compressed(EncodingName);
        return create(outputStream);
    }
}

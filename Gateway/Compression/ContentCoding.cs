using System.IO.Compression;

namespace Gateway.Compression;

/// <summary>
/// The content codings the gateway sends (<c>br</c>, <c>gzip</c>), each made with the level its options name and
/// counted when it starts compressing an answer (<see cref="CompressionMetrics"/>): a response served from the cache as
/// stored never reaches one.
/// </summary>
internal sealed class ContentCoding(string encodingName, Func<Stream, Stream> create, CompressionMetrics metrics)
    : Microsoft.AspNetCore.ResponseCompression.ICompressionProvider
{
    public const string Brotli = "br";
    public const string Gzip = "gzip";
    public const string Identity = "identity";

    public string EncodingName { get; } = encodingName;

    public bool SupportsFlush => true;

    public static ContentCoding ForBrotli(CompressionOptions options, CompressionMetrics metrics)
    {
        var brotli = new BrotliCompressionOptions { Quality = options.BrotliQuality };
        return new ContentCoding(Brotli, output => new BrotliStream(output, brotli, leaveOpen: true), metrics);
    }

    public static ContentCoding ForGzip(CompressionOptions options, CompressionMetrics metrics)
    {
        var zlib = new ZLibCompressionOptions { CompressionLevel = options.GzipLevel };
        return new ContentCoding(Gzip, output => new GZipStream(output, zlib, leaveOpen: true), metrics);
    }

    public Stream CreateStream(Stream outputStream)
    {
        metrics.Compressed(EncodingName);
        return create(outputStream);
    }
}

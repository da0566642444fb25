using System.ComponentModel.DataAnnotations;

namespace Gateway.Compression;

/// <summary>
/// gzip and Brotli for Strapi's answers (JSON, the CSV export, the EUR view) and problem answers, negotiated by
/// <c>Accept-Encoding</c>. Section <c>Compression</c>. Levels are chosen by measurement (README "Compression").
/// </summary>
public sealed class CompressionOptions
{
    public const string SectionName = "Compression";

    /// <summary>Off: every answer goes out as it is (identity).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Brotli quality (0 fastest to 11 smallest) of answers compressed on every request: the CSV export, answers not cached.</summary>
    [Range(0, 11)]
    public int BrotliQuality { get; set; } = 3;

    /// <summary>gzip level (1 fastest to 9 smallest) of answers compressed on every request.</summary>
    [Range(1, 9)]
    public int GzipLevel { get; set; } = 4;

    /// <summary>Brotli quality of answers the response cache keeps: compressed once, then served as kept to every hit.</summary>
    [Range(0, 11)]
    public int StoredBrotliQuality { get; set; } = 5;

    /// <summary>gzip level of answers the response cache keeps.</summary>
    [Range(1, 9)]
    public int StoredGzipLevel { get; set; } = 6;

    /// <summary>An answer that says it is shorter than this (<c>Content-Length</c>) is sent as it is: compressing it saves nothing.</summary>
    [Range(0, 1024 * 1024)]
    public int MinimumBodyBytes { get; set; } = 256;
}

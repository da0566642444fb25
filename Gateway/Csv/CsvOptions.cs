namespace Gateway.Csv;

/// <summary>The CSV exports. Section <c>Csv</c>.</summary>
public sealed class CsvOptions
{
    public const string SectionName = "Csv";

    /// <summary>
    /// How long one page of rows may wait for the client to take it. A client that stops reading (a prefetch left
    /// open, a stalled tab) is dropped after this, which ends the export and its Strapi reads.
    /// </summary>
    public TimeSpan ClientStallTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

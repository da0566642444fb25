namespace Gateway.Csv;

/// <summary>
/// What one export writes: its name (the value of the <c>StrapiCsvExport</c> transform in <c>yarp.json</c>), the
/// file name the client is offered, and the fixed column list. The Strapi query's <c>populate</c> is derived from
/// the columns, so a column and the field it needs cannot drift apart.
/// </summary>
internal sealed class CsvExport
{
    public static readonly CsvExport Invoices = new("invoices",
    [
        "id", "documentId", "date", "amount", "invoice_status", "createdAt", "updatedAt", "publishedAt",
        "customer.id", "customer.documentId", "customer.name", "customer.email",
    ]);

    private static readonly CsvExport[] Known = [Invoices];

    private CsvExport(string name, string[] columns)
    {
        Name = name;
        Columns = [.. columns.Select(header => new CsvColumn(header))];
        FileName = name + ".csv";
        ContentDisposition = $"attachment; filename=\"{FileName}\"";
    }

    public string Name { get; }

    public string FileName { get; }

    /// <summary>The <c>Content-Disposition</c> that offers the download as <see cref="FileName"/>.</summary>
    public string ContentDisposition { get; }

    public IReadOnlyList<CsvColumn> Columns { get; }

    public static string KnownNames => string.Join(", ", Known.Select(export => export.Name));

    public static CsvExport? Find(string? name)
        => Array.Find(Known, export => string.Equals(export.Name, name, StringComparison.OrdinalIgnoreCase));
}

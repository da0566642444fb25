using System.Text;
using System.Text.Json;
using Gateway.Csv;

namespace Gateway.Tests.Csv;

public sealed class CsvRowWriterTests
{
    private const string Header = InvoicePages.Header;

    [Fact]
    public async Task NoItems_HeaderOnly()
    {
        Assert.Equal(Header, await WriteAsync("[]"));
    }

    [Fact]
    public async Task NullCustomer_EmptyCustomerCells()
    {
        var csv = await WriteAsync("""[{"id":7,"documentId":"abc","date":"2024-02-03","amount":0,"invoice_status":"paid","createdAt":"c","updatedAt":"u","publishedAt":"p","customer":null}]""");

        Assert.Equal(Header + "7,abc,2024-02-03,0,paid,c,u,p,,,,\r\n", csv);
    }

    [Fact]
    public async Task MissingAndNullValues_EmptyCells_NeverNullOrUndefined()
    {
        var csv = await WriteAsync("""[{"id":8,"documentId":"abc","date":null,"customer":{"id":3,"name":null}}]""");

        Assert.Equal(Header + "8,abc,,,,,,,3,,,\r\n", csv);
        Assert.DoesNotContain("null", csv, StringComparison.Ordinal);
        Assert.DoesNotContain("undefined", csv, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QuotesCommasNewlinesAndNonAscii_Rfc4180()
    {
        var csv = await WriteAsync("""[{"id":1,"customer":{"name":"O\"Brien, \"Bob\"","email":"line1\nline2\r\nline3"},"invoice_status":"Zoë 東京 ✓","documentId":" padded "}]""");

        Assert.Equal(Header + "1, padded ,,,Zoë 東京 ✓,,,,,,\"O\"\"Brien, \"\"Bob\"\"\",\"line1\nline2\r\nline3\"\r\n", csv);
    }

    [Theory]
    [InlineData("=cmd()", "\"'=cmd()\"")]
    [InlineData("=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"")]
    [InlineData("+1+2", "\"'+1+2\"")]
    [InlineData("-2+3", "\"'-2+3\"")]
    [InlineData("@SUM(A1)", "\"'@SUM(A1)\"")]
    [InlineData("\tcmd", "\"'\tcmd\"")]
    [InlineData("\rcmd", "\"'\rcmd\"")]
    [InlineData("a=b", "a=b")]
    [InlineData("", "")]
    [InlineData("   =HYPERLINK(\"http://x\")", "\"'   =HYPERLINK(\"\"http://x\"\")\"")]
    [InlineData("\u00A0=cmd()", "\"'\u00A0=cmd()\"")]
    [InlineData("\n=cmd()", "\"'\n=cmd()\"")]
    [InlineData(" \t\u2028\u3000+1", "\"' \t\u2028\u3000+1\"")]
    [InlineData("\u200B@SUM(A1)", "\"'\u200B@SUM(A1)\"")]
    [InlineData("\uFF1Dcmd()", "\"'\uFF1Dcmd()\"")]
    [InlineData("\uFF0B1", "\"'\uFF0B1\"")]
    [InlineData("\uFF0D1", "\"'\uFF0D1\"")]
    [InlineData("\uFF20SUM(A1)", "\"'\uFF20SUM(A1)\"")]
    [InlineData("  \uFE66cmd()", "\"'  \uFE66cmd()\"")]
    [InlineData("  plain", "  plain")]
    [InlineData("Zoë =x", "Zoë =x")]
    public async Task FormulaLookingText_Neutralised(string name, string cell)
    {
        var csv = await WriteAsync($$$"""[{"id":1,"customer":{"name":{{{JsonSerializer.Serialize(name)}}}}}]""");

        Assert.Equal(Header + $"1,,,,,,,,,,{cell},\r\n", csv);
    }

    [Fact]
    public async Task NumbersAndBooleans_AsJsonWroteThem()
    {
        var csv = await WriteAsync("""[{"id":12345678901,"amount":1.50,"invoice_status":true}]""");

        Assert.Equal(Header + "12345678901,,,1.50,true,,,,,,,\r\n", csv);
    }

    [Fact]
    public async Task PagesWrittenInTurn_OneHeaderAndEveryRow()
    {
        using var writer = new CsvRowWriter(CsvExport.Invoices.Columns);
        using var output = new MemoryStream();
        writer.WriteHeader();
        for (var page = 1; page <= 3; page++)
        {
            using var document = JsonDocument.Parse(InvoicePages.Page(250, page));
            writer.WriteRows(document.RootElement.GetProperty("data"));
            await writer.CopyToAsync(output, CancellationToken.None);
        }

        Assert.Equal(InvoicePages.Csv(250), Encoding.UTF8.GetString(output.ToArray()));
    }

    private static async Task<string> WriteAsync(string items)
    {
        using var writer = new CsvRowWriter(CsvExport.Invoices.Columns);
        using var document = JsonDocument.Parse(items);
        using var output = new MemoryStream();
        writer.WriteHeader();
        writer.WriteRows(document.RootElement);
        await writer.CopyToAsync(output, CancellationToken.None);
        var bytes = output.ToArray();
        Assert.False(bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble), "no byte order mark");
        return Encoding.UTF8.GetString(bytes);
    }
}

using System.Text;
using System.Text.Json;
using Gateway.Csv;

namespace Gateway.Tests.Csv;

/// <summary>
/// <see cref="CsvRowWriter"/> writes UTF-8 itself; these hold its bytes to those of the CsvHelper writer it replaced
/// (<see cref="CsvHelperRowWriter"/>) on awkward input, and on many items made of it at random.
/// </summary>
public sealed class CsvRowWriterEquivalenceTests
{
    /// <summary>JSON string literals, as Strapi could send them.</summary>
    private static readonly string[] Texts =
    [
        "\"\"", "\" \"", "\"plain\"", "\" padded \"", "\"a,b\"", "\",\"", "\"O\\\"Brien, \\\"Bob\\\"\"", "\"\\\"\"",
        "\"line1\\nline2\\r\\nline3\"", "\"\\r\"", "\"\\n\"", "\"tab\\there\"", "\"Zoë 東京 ✓\"", "\"😀 emoji\"", "\"\\u00e9t\\u00e9\"",
        "\"a\\/b\"", "\"\\ud83d\\ude00\"", "\"=cmd()\"", "\"+1+2\"", "\"-2+3\"", "\"-\"", "\"@SUM(A1)\"", "\"\\tcmd\"", "\"\\rcmd\"",
        "\"a=b\"", "\"   =HYPERLINK(\\\"http://x\\\",\\\"y\\\")\"", "\"\u00A0=cmd()\"", "\"\\u00a0=cmd()\"", "\"\u00A0plain\"",
        "\"\\n=cmd()\"", "\" \\t\u2028\u3000+1\"", "\"\u200B@SUM(A1)\"", "\"\\u200b@x\"", "\"＝cmd()\"", "\"＋1\"", "\"－1\"", "\"＠SUM(A1)\"",
        "\"﹦x\"", "\"﹢x\"", "\"﹣x\"", "\"﹫x\"", "\"  ﹦cmd()\"", "\"  plain\"", "\"Zoë =x\"", "\"é=x\"", "\"\u3000x\"", "\"\\u0000x\"",
        "\"\\u001f=x\"", "\"\u007F=x\"", "\"\u0085=x\"", "\"\U000E0001=x\"", "\"\u00A0\U000E0001=x\"", "\"\U0001F600=x\"", "\"\u2060\u00AD-x\"", "\"2024-01-02\"", "\"inv000000000000000000001\"", "\"c1@example.com\"",
    ];

    /// <summary>Anything else a value could be: numbers as JSON wrote them, booleans, null, objects and arrays.</summary>
    private static readonly string[] Others =
    [
        "0", "-0", "1.50", "-2", "1e5", "1E-7", "12345678901", "123456789012345678901234567890", "true", "false", "null",
        "{}", "[]", "{\"a\":1,\"b\":\"x,y\"}", "[1, 2,\n 3]", "{ \"q\" : \"\\\"\" }", "[\"=x\"]", "{\r\n\"k\":\"é\"}",
    ];

    private static readonly string[] Fields =
        ["id", "documentId", "date", "amount", "invoice_status", "createdAt", "updatedAt", "publishedAt", "locale"];

    private static readonly string[] CustomerFields = ["id", "documentId", "name", "email", "n\\u0061me", "extra"];

    public static TheoryData<string> TrickyItems()
    {
        var data = new TheoryData<string>();
        foreach (var value in Texts.Concat(Others))
        {
            data.Add($$$"""[{"id":1,"documentId":{{{value}}},"customer":{"name":{{{value}}},"email":{{{value}}}}}]""");
        }

        data.Add("""[1, "x", null, [], {}, {"customer":"x"}, {"customer":5}, {"customer":[{"name":"a"}]}]""");
        data.Add("""[{"id":1,"id":2,"customer":{"name":"a","name":"b"}}]""");
        data.Add("""[{"customer":{"name":"a"},"customer":null}, {"customer":null,"customer":{"name":"b"}}]""");
        data.Add("""[{"customer":{"n\u0061me":"escaped name"},"\u0069d":7}]""");
        data.Add("""[{"publishedAt":"p","customer":{"email":"e","name":"n"},"amount":3,"id":9}]""");
        return data;
    }

    [Theory]
    [MemberData(nameof(TrickyItems))]
    public void TrickyItems_SameBytesAsCsvHelper(string items) => AssertSameBytes(CsvExport.Invoices.Columns, items);

    [Fact]
    public void RandomItems_SameBytesAsCsvHelper()
    {
        var random = new Random(20261204);
        var pools = Texts.Concat(Others).ToArray();
        for (var page = 0; page < 20; page++)
        {
            var items = new List<string>();
            for (var n = 0; n < 100; n++)
            {
                var fields = Fields.Where(_ => random.Next(5) > 0)
                    .Select(field => $"\"{field}\":{pools[random.Next(pools.Length)]}")
                    .OrderBy(_ => random.Next(8) == 0 ? random.Next() : 0);
                var customer = random.Next(6) switch
                {
                    0 => "null",
                    1 => pools[random.Next(pools.Length)],
                    _ => "{" + string.Join(',', CustomerFields.Where(_ => random.Next(4) > 0)
                        .Select(field => $"\"{field}\":{pools[random.Next(pools.Length)]}")) + "}",
                };
                items.Add("{" + string.Join(',', fields.Append($"\"customer\":{customer}")) + "}");
            }

            AssertSameBytes(CsvExport.Invoices.Columns, "[" + string.Join(',', items) + "]");
        }
    }

    [Theory]
    [InlineData("[{\"a\":\"\"}, {}, {\"a\":null}, {\"a\":\"x\"}]", "a")]
    [InlineData("[{\"customer\":{\"name\":\"n\"},\"amount\":1}, {\"customer\":null}]", "customer.id", "amount", "customer.name", "customer")]
    [InlineData("[{\"a\":{\"b\":{\"c\":\"=deep\"}}}, {\"a\":{\"b\":1}}, {\"a\":{\"b\":{\"c\":2},\"b\":null}}]", "a.b.c", "a.b", "x,y", "q\"h")]
    public void OtherColumnSets_SameBytesAsCsvHelper(string items, params string[] headers)
        => AssertSameBytes([.. headers.Select(header => new CsvColumn(header))], items);

    [Theory]
    [InlineData("[{\"id\":\"\\ud800\"}]")]
    [InlineData("[{\"id\":\"a\\udc00b\"}]")]
    public void LoneSurrogateEscapes_SameOutcomeAsCsvHelper(string items)
    {
        var expected = Outcome(() => Reference(CsvExport.Invoices.Columns, items));
        var actual = Outcome(() => Write(CsvExport.Invoices.Columns, items));
        Assert.Equal(expected, actual);
    }

    private static string Outcome(Func<byte[]> write)
    {
        try
        {
            return Convert.ToHexString(write());
        }
        catch (InvalidOperationException e)
        {
            return e.GetType().Name;
        }
    }

    private static void AssertSameBytes(IReadOnlyList<CsvColumn> columns, string items)
    {
        var expected = Reference(columns, items);
        var actual = Write(columns, items);
        Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(actual));
        Assert.Equal(expected, actual);
    }

    private static byte[] Reference(IReadOnlyList<CsvColumn> columns, string items)
    {
        using var writer = new CsvHelperRowWriter(columns);
        using var document = JsonDocument.Parse(items);
        using var output = new MemoryStream();
        writer.WriteHeader();
        writer.WriteRows(document.RootElement);
        writer.CopyToAsync(output, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        return output.ToArray();
    }

    private static byte[] Write(IReadOnlyList<CsvColumn> columns, string items)
    {
        using var writer = new CsvRowWriter(columns);
        using var document = JsonDocument.Parse(items);
        using var output = new MemoryStream();
        writer.WriteHeader();
        writer.WriteRows(document.RootElement);
        writer.CopyToAsync(output, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        return output.ToArray();
    }
}

using System.Net;
using System.Text.Json;
using CsvHelper;

namespace Gateway.Tests.EndToEnd;

/// <summary>The CSV export against the real Strapi: every invoice it holds, as Strapi itself lists them.</summary>
[Collection(StrapiCollection.Name)]
public sealed class CsvExportEndToEndTests(StrapiStack stack)
{
    private const string Path = "/api/v2/invoices/en-us/csv";

    private static readonly string[] Columns =
    [
        "id", "documentId", "date", "amount", "invoice_status", "createdAt", "updatedAt", "publishedAt",
        "customer.id", "customer.documentId", "customer.name", "customer.email",
    ];

    [Fact]
    public async Task EveryInvoice_CellForCell_AsStrapiListsThem()
    {
        using var response = await stack.Gateway.GetAsync(Path);
        var text = await response.Content.ReadAsStringAsync();
        var expected = await DirectAsync("sort=id:asc");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("attachment; filename=\"invoices.csv\"", response.Content.Headers.ContentDisposition?.ToString());
        Assert.StartsWith(string.Join(',', Columns) + "\r\n", text, StringComparison.Ordinal);
        Assert.EndsWith("\r\n", text, StringComparison.Ordinal);
        var rows = Parse(text);
        Assert.True(expected.Count > 200, "more than two pages of 100 to export");
        Assert.Equal(expected.Count, rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            Assert.Equal(expected[i], rows[i]);
        }

        Assert.Contains(rows, row => row["customer.name"] == "Evil Rabbit" && row["amount"] == "15795");
    }

    [Fact]
    public async Task Filter_OnlyPaid_AsManyAsStrapiCounts()
    {
        const string filter = "filters[invoice_status][$eq]=paid";

        var rows = Parse(await stack.Gateway.GetStringAsync($"{Path}?{filter}"));
        var expected = await DirectAsync($"{filter}&sort=id:asc");

        Assert.NotEmpty(rows);
        Assert.All(rows, row => Assert.Equal("paid", row["invoice_status"]));
        Assert.Equal(expected.Select(row => row["id"]), rows.Select(row => row["id"]));
    }

    [Fact]
    public async Task NextJsRscKeyAndOtherKeys_NotSentToStrapi_TheExportIsWhole()
    {
        const string filter = "filters[invoice_status][$eq]=paid";

        using var response = await stack.Gateway.GetAsync($"{Path}?_rsc=1x2y3&utm_source=mail&{filter}");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var expected = await DirectAsync($"{filter}&sort=id:asc");
        Assert.Equal(expected.Select(row => row["id"]), Parse(text).Select(row => row["id"]));
    }

    [Fact]
    public async Task Head_TheDownloadsHeaders_NoBody()
    {
        using var response = await stack.Gateway.SendAsync(new HttpRequestMessage(HttpMethod.Head, Path));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task ClientSort_Kept()
    {
        var rows = Parse(await stack.Gateway.GetStringAsync($"{Path}?sort[0]=amount:desc&sort[1]=id:asc"));
        var expected = await DirectAsync("sort[0]=amount:desc&sort[1]=id:asc");

        Assert.Equal(expected.Select(row => row["id"]), rows.Select(row => row["id"]));
        var amounts = rows.Select(row => long.Parse(row["amount"], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(amounts.OrderByDescending(amount => amount), amounts);
    }

    [Fact]
    public async Task ClientSortWithTies_EveryInvoiceOnce_InTheClientsOrderThenById()
    {
        var rows = Parse(await stack.Gateway.GetStringAsync($"{Path}?sort=invoice_status:desc"));
        var expected = await DirectAsync("sort[0]=invoice_status:desc&sort[1]=id:asc");

        Assert.True(rows.Count > 200, "ties spread over more than two pages of 100");
        Assert.Equal(expected.Select(row => row["id"]), rows.Select(row => row["id"]));
        Assert.Equal(rows.Count, rows.Select(row => row["id"]).Distinct().Count());
        Assert.Equal("pending", rows[0]["invoice_status"]);
    }

    [Fact]
    public async Task FilterStrapiRefuses_StrapisOwnErrorComesBack()
    {
        // The policy allows the key; Strapi refuses the value.
        const string query = "filters[date][$eq]=not-a-date";

        using var viaGateway = await stack.Gateway.GetAsync($"{Path}?{query}");
        using var direct = await stack.Direct.GetAsync($"/api/invoices?{query}");

        Assert.Equal(direct.StatusCode, viaGateway.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, viaGateway.StatusCode);
        Assert.Equal(await direct.Content.ReadAsStringAsync(), await viaGateway.Content.ReadAsStringAsync());
    }

    /// <summary>Every invoice Strapi lists for this query, page by page, as the cells the export should hold.</summary>
    private async Task<List<Dictionary<string, string>>> DirectAsync(string query)
    {
        var rows = new List<Dictionary<string, string>>();
        for (var page = 1; ; page++)
        {
            var list = await stack.Direct.GetJsonAsync(
                $"/api/invoices?{query}&populate[customer][fields][0]=name&populate[customer][fields][1]=email&pagination[pageSize]=100&pagination[page]={page}");
            rows.AddRange(list.GetProperty("data").EnumerateArray().Select(Cells));
            if (page >= list.Pagination().Int("pageCount"))
            {
                return rows;
            }
        }
    }

    private static Dictionary<string, string> Cells(JsonElement invoice)
        => Columns.ToDictionary(column => column, column =>
        {
            var value = invoice;
            foreach (var step in column.Split('.'))
            {
                if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty(step, out value))
                {
                    return "";
                }
            }

            return value.ValueKind switch
            {
                JsonValueKind.String => value.GetString()!,
                JsonValueKind.Null => "",
                _ => value.GetRawText(),
            };
        });

    private static List<Dictionary<string, string>> Parse(string csv)
    {
        using var reader = CsvReader.FromText(csv, CsvReaderOptions.Default);
        var rows = new List<Dictionary<string, string>>();
        while (reader.Read())
        {
            Assert.Equal(Columns, reader.Headers);
            rows.Add(Columns.ToDictionary(column => column, column => reader.GetString(column)));
        }

        return rows;
    }
}

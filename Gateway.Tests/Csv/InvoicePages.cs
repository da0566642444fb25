using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Gateway.Tests.Csv;

/// <summary>
/// Strapi-shaped invoice pages for the stand-in upstream, and the CSV rows the export must make of them, written
/// out by hand here so the expected text does not come from the code under test.
/// </summary>
internal static class InvoicePages
{
    public const string Header =
        "id,documentId,date,amount,invoice_status,createdAt,updatedAt,publishedAt,customer.id,customer.documentId,customer.name,customer.email\r\n";

    public const int PageSize = 100;

    private const string Stamp = "2025-01-01T00:00:00.000Z";

    public static string Invoice(int id)
    {
        var customer = id % 7 + 1;
        return Format($$$"""{"id":{{{id}}},"documentId":"inv{{{id}}}","amount":{{{id * 100}}},"date":"2024-01-{{{id % 28 + 1:00}}}","invoice_status":"{{{Status(id)}}}","createdAt":"{{{Stamp}}}","updatedAt":"{{{Stamp}}}","publishedAt":"{{{Stamp}}}","customer":{"id":{{{customer}}},"documentId":"cus{{{customer}}}","name":"Customer {{{customer}}}","email":"c{{{customer}}}@example.com"}}""");
    }

    public static string Row(int id)
    {
        var customer = id % 7 + 1;
        return Format($"{id},inv{id},2024-01-{id % 28 + 1:00},{id * 100},{Status(id)},{Stamp},{Stamp},{Stamp},{customer},cus{customer},Customer {customer},c{customer}@example.com\r\n");
    }

    /// <summary>The whole file for invoices 1..<paramref name="total"/>.</summary>
    public static string Csv(int total)
    {
        var text = new StringBuilder(Header);
        for (var id = 1; id <= total; id++)
        {
            text.Append(Row(id));
        }

        return text.ToString();
    }

    /// <summary>Page <paramref name="page"/> of <paramref name="total"/> invoices, <see cref="PageSize"/> to a page.</summary>
    public static string Page(int total, int page, int? announcedTotal = null)
    {
        var first = (page - 1) * PageSize + 1;
        var last = Math.Min(total, page * PageSize);
        var items = string.Join(',', Enumerable.Range(first, Math.Max(0, last - first + 1)).Select(Invoice));
        return Envelope(items, page, announcedTotal ?? total);
    }

    /// <summary>A list envelope around the given items, its meta saying <paramref name="total"/>.</summary>
    public static string Envelope(string items, int page, int total)
    {
        var pageCount = (total + PageSize - 1) / PageSize;
        return Format($$$"""{"data":[{{{items}}}],"meta":{"pagination":{"page":{{{page}}},"pageSize":{{{PageSize}}},"pageCount":{{{pageCount}}},"total":{{{total}}}""") + "}}}";
    }

    /// <summary>The page number the gateway asked for.</summary>
    public static int RequestedPage(HttpContext context)
        => int.Parse(context.Request.Query["pagination[page]"].ToString(), CultureInfo.InvariantCulture);

    /// <summary>A handler serving <paramref name="total"/> invoices by page, like Strapi.</summary>
    public static Func<HttpContext, Task> Serve(int total) => context => WriteAsync(context, Page(total, RequestedPage(context)));

    public static async Task WriteAsync(HttpContext context, string json)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(json, context.RequestAborted);
    }

    private static string Status(int id) => id % 3 == 0 ? "paid" : "pending";

    private static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

using System.Globalization;
using System.Text;

namespace Currency.Bench;

/// <summary>A Strapi v5 invoice list page with populated customers, as the real one looks (see shared/STRAPI.md).</summary>
internal static class StrapiPage
{
    /// <summary>
    /// The page of <paramref name="items"/> invoices; <paramref name="selected"/>: as Strapi answers the fr route's
    /// <c>fields[…]</c> selection (date, amount, invoice_status and the customer's name, email, image_url): id and
    /// documentId are always sent, the timestamps are not.
    /// </summary>
    public static byte[] Build(int items, bool selected = false)
    {
        var builder = new StringBuilder("{\"data\":[");
        for (var i = 1; i <= items; i++)
        {
            if (i > 1)
            {
                builder.Append(',');
            }

            builder.Append(CultureInfo.InvariantCulture,
                $$$"""{"id":{{{i}}},"documentId":"s2r77wbev8x1yjgxloln{{{i:D4}}}","date":"2022-12-{{{(i % 28) + 1:D2}}}","amount":{{{(i * 7919) % 100000}}},"invoice_status":"{{{(i % 2 == 0 ? "paid" : "pending")}}}"{{{(selected ? "" : Timestamps)}}},"customer":{"id":{{{i % 10}}},"documentId":"c8r77wbev8x1yjgxloln{{{i % 10:D4}}}","name":"Customer {{{i % 10}}}","email":"customer{{{i % 10}}}@example.com","image_url":"/customers/customer-{{{i % 10}}}.png"}}""");
        }

        builder.Append(CultureInfo.InvariantCulture, $$$"""],"meta":{"pagination":{"page":1,"pageSize":{{{items}}},"pageCount":{{{(230 + items - 1) / items}}},"total":230""").Append("}}}");
        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    private const string Timestamps = ",\"createdAt\":\"2025-01-01T00:00:00.000Z\",\"updatedAt\":\"2025-01-01T00:00:00.000Z\",\"publishedAt\":\"2025-01-01T00:00:00.000Z\"";
}

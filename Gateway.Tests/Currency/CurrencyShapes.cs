using System.Globalization;

namespace Gateway.Tests.Currency;

/// <summary>Bodies for the currency tests: Strapi's invoice list with customers, and the rate API's answers.</summary>
internal static class CurrencyShapes
{
    public const long UpdatedUnix = 1732406401;
    public const string UpdatedIso = "2024-11-24T00:00:01Z";
    public const string Pagination = """{"page":2,"pageSize":3,"pageCount":77,"total":230}""";

    public static string Invoice(int id, long amount, string? customer = "Evil Rabbit") =>
        $$"""{"id":{{id}},"documentId":"doc{{id}}","date":"2022-12-06","amount":{{amount}},"invoice_status":"pending","createdAt":"2025-01-01T00:00:00.000Z","updatedAt":"2025-01-01T00:00:00.000Z","publishedAt":"2025-01-01T00:00:00.000Z","customer":{{(customer is null ? "null" : $$"""{"id":{{id}},"documentId":"cust{{id}}","name":"{{customer}}","email":"{{customer.Replace(' ', '.').ToLowerInvariant()}}@example.com","image_url":"/customers/{{id}}.png"}""")}}}""";

    public static string Page(params long[] amounts) =>
        "{\"data\":[" + string.Join(',', amounts.Select((amount, i) => Invoice(i + 1, amount))) + "],\"meta\":{\"pagination\":" + Pagination + "}}";

    public static string Rates(params (string Code, decimal Rate)[] rates)
    {
        var list = string.Concat(rates.Select(r => string.Create(CultureInfo.InvariantCulture, $",\"{r.Code}\":{r.Rate}")));
        return $$"""{"result":"success","provider":"https://www.exchangerate-api.com","base_code":"USD","time_last_update_unix":{{UpdatedUnix}},"time_next_update_unix":{{UpdatedUnix + 86400}},"rates":{"USD":1{{list}}""" + "}}";
    }

    public static string Error() => """{"result":"error","error-type":"unsupported-code"}""";
}

namespace Gateway.Tests.Infrastructure;

/// <summary>Bodies in the shapes Strapi v5 answers with (see shared/STRAPI.md), for the stand-in upstream.</summary>
internal static class StrapiShapes
{
    public static string Item(string documentId = "s2r77wbev8x1yjgxloln2517", int id = 1, int amount = 15795) =>
        $$"""{"id":{{id}},"documentId":"{{documentId}}","amount":{{amount}},"date":"2022-12-06","invoice_status":"pending","createdAt":"2025-01-01T00:00:00.000Z","updatedAt":"2025-01-01T00:00:00.000Z","publishedAt":"2025-01-01T00:00:00.000Z"}""";

    public static string List() =>
        "{\"data\":[" + Item() + """],"meta":{"pagination":{"page":1,"pageSize":25,"pageCount":1,"total":1}}}""";

    public static string Single() => $$$"""{"data":{{{Item()}}},"meta":{}}""";

    public static string NotFound() =>
        """{"data":null,"error":{"status":404,"name":"NotFoundError","message":"Not Found","details":{}}}""";

    public static string ValidationError() =>
        """{"data":null,"error":{"status":400,"name":"ValidationError","message":"Missing \"data\" payload in the request body","details":{}}}""";
}

using System.Text.Json;

namespace Gateway.Csv;

/// <summary>
/// One page of a Strapi list, <c>{"data":[…],"meta":{"pagination":{…,"pageCount":n,"total":n}}}</c>, parsed whole
/// (a page is at most 100 items) into pooled memory that <see cref="Dispose"/> returns.
/// </summary>
internal sealed class StrapiPage : IDisposable
{
    private readonly JsonDocument _document;

    private StrapiPage(JsonDocument document, JsonElement data, int pageCount, int total)
    {
        _document = document;
        Data = data;
        PageCount = pageCount;
        Total = total;
    }

    /// <summary>The items, a JSON array.</summary>
    public JsonElement Data { get; }

    public int PageCount { get; }

    public int Total { get; }

    /// <summary>Reads a page; <see cref="JsonException"/> when the body is not JSON or not a Strapi list.</summary>
    public static async Task<StrapiPage> ReadAsync(Stream body, CancellationToken cancel)
    {
        var document = await JsonDocument.ParseAsync(body, default, cancel);
        try
        {
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array
                && root.TryGetProperty("meta", out var meta) && meta.ValueKind == JsonValueKind.Object
                && meta.TryGetProperty("pagination", out var pagination) && pagination.ValueKind == JsonValueKind.Object
                && TryGetCount(pagination, "pageCount", out var pageCount)
                && TryGetCount(pagination, "total", out var total))
            {
                return new StrapiPage(document, data, pageCount, total);
            }
        }
        catch
        {
            document.Dispose();
            throw;
        }

        document.Dispose();
        throw new JsonException("Not a Strapi list: data[] and meta.pagination.pageCount/total are required.");
    }

    public void Dispose() => _document.Dispose();

    private static bool TryGetCount(JsonElement pagination, string name, out int count)
    {
        count = 0;
        return pagination.TryGetProperty(name, out var value)
            && value.ValueKind == JsonValueKind.Number
            && value.TryGetInt32(out count)
            && count >= 0;
    }
}

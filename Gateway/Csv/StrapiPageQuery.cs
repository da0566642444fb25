using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Transforms;

namespace Gateway.Csv;

/// <summary>
/// The query an export sends to Strapi. The client's filters, sort and anything else pass through; paging, fields
/// and populate are the export's own: page size 100, the populate its columns need, and <c>sort=id:asc</c> when the
/// client gave no sort, so pages do not overlap or skip.
/// </summary>
internal static class StrapiPageQuery
{
    public const int PageSize = 100;
    public const string PageKey = "pagination[page]";
    public const string PageSizeKey = "pagination[pageSize]";
    public const string SortKey = "sort";
    public const string StableSort = "id:asc";

    private const string PaginationKey = "pagination";
    private const string PopulateKey = "populate";
    private const string FieldsKey = "fields";

    /// <summary>Strapi returns these on every item and relation whether asked for or not.</summary>
    private static readonly string[] AlwaysReturned = ["id", "documentId"];

    /// <summary>Rewrites the proxied request's query for page 1.</summary>
    public static void Apply(QueryTransformContext query, CsvExport export)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(export);

        var collection = query.Collection;
        foreach (var key in collection.Keys.Where(key => Is(key, PaginationKey) || Is(key, PopulateKey) || Is(key, FieldsKey)).ToList())
        {
            collection.Remove(key);
        }

        if (!collection.Keys.Any(key => Is(key, SortKey)))
        {
            collection[SortKey] = StableSort;
        }

        foreach (var (key, value) in Populate(export))
        {
            collection[key] = value;
        }

        collection[PageKey] = "1";
        collection[PageSizeKey] = PageSize.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The address of page <paramref name="page"/>, given the address page 1 was fetched from.</summary>
    public static Uri ForPage(Uri first, int page)
    {
        ArgumentNullException.ThrowIfNull(first);

        var pairs = QueryHelpers.ParseQuery(first.Query);
        pairs[PageKey] = page.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var builder = new UriBuilder(first) { Query = string.Empty };
        return new Uri(QueryHelpers.AddQueryString(builder.Uri.AbsoluteUri, pairs));
    }

    /// <summary><c>populate[customer][fields][0]=name</c> and so on: the fields the columns read through relations.</summary>
    internal static IEnumerable<KeyValuePair<string, StringValues>> Populate(CsvExport export)
        => export.Columns
            .Where(column => column.Relation is not null && !AlwaysReturned.Contains(column.Field, StringComparer.Ordinal))
            .GroupBy(column => column.Relation!, StringComparer.Ordinal)
            .SelectMany(relation => relation.Select((column, i) =>
                new KeyValuePair<string, StringValues>($"{PopulateKey}[{relation.Key}][{FieldsKey}][{i}]", column.Field)));

    /// <summary><paramref name="key"/> is <paramref name="name"/> itself or one of its bracketed members.</summary>
    private static bool Is(string key, string name)
        => key.StartsWith(name, StringComparison.Ordinal) && (key.Length == name.Length || key[name.Length] == '[');
}

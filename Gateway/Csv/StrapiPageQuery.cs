using System.Globalization;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Transforms;

namespace Gateway.Csv;

/// <summary>
/// The query an export sends to Strapi. The client's filters, sort, locale and status pass through, nothing else; paging, fields
/// and populate are the export's own: page size 100, the populate its columns need, and <c>id:asc</c> as the sort, or
/// as the last key of the client's sort unless it already names a unique field, so that rows tied on the client's
/// keys cannot move between pages (offset paging over an order with ties can repeat or skip rows).
/// </summary>
internal static class StrapiPageQuery
{
    public const int PageSize = 100;
    public const string PageKey = "pagination[page]";
    public const string PageSizeKey = "pagination[pageSize]";
    public const string SortKey = "sort";
    public const string StableSort = "id:asc";

    private const string FiltersKey = "filters";
    private const string PopulateKey = "populate";
    private const string FieldsKey = "fields";

    /// <summary>Strapi returns these on every item and relation whether asked for or not.</summary>
    private static readonly string[] AlwaysReturned = ["id", "documentId"];

    /// <summary>
    /// The client's query keys that reach Strapi: what selects and orders the rows. Paging, fields and populate are the
    /// export's own; anything else (Next.js's <c>_rsc</c>, a tracking parameter) is not Strapi's business.
    /// </summary>
    private static readonly string[] ClientKeys = [FiltersKey, SortKey, "locale", "status"];

    /// <summary>Rewrites the proxied request's query for page 1.</summary>
    public static void Apply(QueryTransformContext query, CsvExport export)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(export);

        var collection = query.Collection;
        foreach (var key in collection.Keys.Where(key => !Array.Exists(ClientKeys, name => Is(key, name))).ToList())
        {
            collection.Remove(key);
        }

        MakeSortTotal(collection);

        foreach (var (key, value) in Populate(export))
        {
            collection[key] = value;
        }

        collection[PageKey] = "1";
        collection[PageSizeKey] = PageSize.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The client's sort in any of Strapi's forms (<c>sort=a:desc,b</c>, <c>sort[0]=a:desc</c>, <c>sort[a]=desc</c>)
    /// with <c>id</c> added last, or <c>id:asc</c> alone without one.
    /// </summary>
    private static void MakeSortTotal(IDictionary<string, StringValues> collection)
    {
        var keys = collection.Keys.Where(key => Is(key, SortKey)).ToList();
        if (keys.Any(key => SortFields(key, collection[key]).Any(IsUnique)))
        {
            return;
        }

        if (keys.Count == 0 || (keys is [SortKey] && collection[SortKey].All(string.IsNullOrWhiteSpace)))
        {
            collection[SortKey] = StableSort;
            return;
        }

        if (collection.TryGetValue(SortKey, out var plain))
        {
            collection[SortKey] = plain.Count == 1 ? $"{plain[0]},{StableSort}" : StringValues.Concat(plain, StableSort);
            return;
        }

        var indexes = keys.Select(key => int.TryParse(Inner(key), NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : -1).ToList();
        if (indexes.TrueForAll(i => i >= 0))
        {
            collection[$"{SortKey}[{(indexes.Max() + 1).ToString(CultureInfo.InvariantCulture)}]"] = StableSort;
        }
        else
        {
            collection[$"{SortKey}[id]"] = "asc";
        }
    }

    /// <summary>The field names one sort parameter orders by.</summary>
    private static IEnumerable<string> SortFields(string key, StringValues values)
    {
        var inner = Inner(key);
        return inner.Length > 0 && !int.TryParse(inner, NumberStyles.None, CultureInfo.InvariantCulture, out _)
            ? [inner]
            : values.SelectMany(value => (value ?? "").Split(',')).Select(part => part.Split(':')[0].Trim());
    }

    /// <summary><c>a</c> of <c>sort[a]</c>; empty for <c>sort</c>.</summary>
    private static string Inner(string key)
        => key.Length > SortKey.Length + 1 ? key[(SortKey.Length + 1)..^1] : "";

    private static bool IsUnique(string field) => field is "id" or "documentId";

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

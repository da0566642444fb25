using System.Globalization;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Transforms;

namespace Gateway.Currency;

/// <summary>
/// Asks Strapi for what a currency view shows: the invoice fields and the customer's, the page the client asked for
/// (<c>?page=</c>/<c>?pageSize=</c>, or Strapi's own <c>pagination[…]</c>, which wins), and the client's
/// <c>filters[…]</c> and <c>sort</c>. Any other query key is dropped, so the view's shape cannot be changed from outside.
/// The body is asked for uncompressed, since the response side rewrites it.
/// </summary>
internal sealed class CurrencyViewRequestTransform : RequestTransform
{
    internal const string PageKey = "page";
    internal const string PageSizeKey = "pageSize";
    internal const string StrapiPageKey = "pagination[page]";
    internal const string StrapiPageSizeKey = "pagination[pageSize]";

    private static readonly string[] KeptPrefixes = ["filters[", "pagination[", "sort["];
    private const string SortKey = "sort";

    /// <summary>The field selection, the same for every request: <c>fields[i]</c> and <c>populate[customer][fields][i]</c>.</summary>
    private static readonly KeyValuePair<string, StringValues>[] Selection =
    [
        .. CurrencyViewFields.Invoice.Select((field, i) =>
            KeyValuePair.Create(string.Create(CultureInfo.InvariantCulture, $"fields[{i}]"), new StringValues(field))),
        .. CurrencyViewFields.CustomerFields.Select((field, i) =>
            KeyValuePair.Create(string.Create(CultureInfo.InvariantCulture, $"populate[{CurrencyViewFields.Customer}][fields][{i}]"), new StringValues(field))),
    ];

    public override ValueTask ApplyAsync(RequestTransformContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        var query = context.Query.Collection;
        query.TryGetValue(PageKey, out var page);
        query.TryGetValue(PageSizeKey, out var pageSize);
        foreach (var key in query.Keys.ToArray())
        {
            if (!IsKept(key))
            {
                query.Remove(key);
            }
        }

        AddUnlessPresent(query, StrapiPageKey, page);
        AddUnlessPresent(query, StrapiPageSizeKey, pageSize);
        foreach (var (key, value) in Selection)
        {
            query[key] = value;
        }

        RemoveHeader(context, HeaderNames.AcceptEncoding);
        return ValueTask.CompletedTask;
    }

    private static bool IsKept(string key)
    {
        if (string.Equals(key, SortKey, StringComparison.Ordinal))
        {
            return true;
        }

        foreach (var prefix in KeptPrefixes)
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static void AddUnlessPresent(IDictionary<string, StringValues> query, string key, StringValues value)
    {
        if (!StringValues.IsNullOrEmpty(value))
        {
            query.TryAdd(key, value);
        }
    }
}

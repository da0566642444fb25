using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Gateway.Strapi;

/// <summary>
/// Checks a client's query string against a collection's <see cref="StrapiQueryModel"/> before anything goes to
/// Strapi: <c>filters</c> on configured fields (the collection's and one relation level), with allowed operators, a
/// bounded nesting of <c>$and $or $not</c> and a bounded number of conditions; <c>populate</c> of configured relations
/// only, one level, with <c>fields</c> only; <c>fields</c> and <c>sort</c> on configured fields; paging within bounds;
/// <c>locale</c>; <c>status</c> (drafts need the caller to be an editor: <see cref="StrapiQueryCheck.AsksForDrafts"/>).
/// Anything else is refused, never silently dropped, and the refusal names the parameter and the rule.
/// </summary>
internal sealed partial class StrapiQueryPolicy(IOptionsMonitor<StrapiQueryOptions> options)
{
    private const string Filters = "filters";
    private const string Populate = "populate";
    private const string Fields = "fields";
    private const string Sort = "sort";
    private const string Pagination = "pagination";
    private const string Locale = "locale";
    private const string Status = "status";

    /// <summary>The EUR view's own paging keys, checked like Strapi's where a route's other keys are its own.</summary>
    private const string ViewPage = "page";
    private const string ViewPageSize = "pageSize";

    /// <summary>Strapi's default page size, for the offset bound when a query gives a page but no size.</summary>
    private const int StrapiDefaultPageSize = 25;

    public bool Knows(string collection) => options.CurrentValue.Collections.ContainsKey(collection);

    /// <param name="collection">The collection's name in <see cref="StrapiQueryOptions.Collections"/>.</param>
    /// <param name="query">The client's query.</param>
    /// <param name="otherKeysAreTheRoutes">Keys that are not Strapi's belong to the route (the CSV export and the EUR
    /// view read or drop them); otherwise they are refused.</param>
    public StrapiQueryCheck Check(string collection, IEnumerable<KeyValuePair<string, StringValues>> query, bool otherKeysAreTheRoutes)
    {
        ArgumentNullException.ThrowIfNull(query);

        var settings = options.CurrentValue;
        if (!settings.Collections.TryGetValue(collection, out var policy))
        {
            return StrapiQueryCheck.Refuse("(route)", $"no query policy is configured for '{collection}'");
        }

        var state = new CheckState(settings, policy);
        foreach (var (key, values) in query)
        {
            var refusal = StrapiQueryKey.TryParse(key, out var parsed)
                ? CheckKey(state, parsed, values, otherKeysAreTheRoutes)
                : otherKeysAreTheRoutes && !IsStrapiRoot(key.Split('[')[0]) ? null : "is not a query parameter Strapi reads";
            if (refusal is not null)
            {
                return StrapiQueryCheck.Refuse(key, refusal);
            }
        }

        if (state.Conditions > settings.MaxConditions)
        {
            return StrapiQueryCheck.Refuse(Filters, $"at most {settings.MaxConditions} filter conditions are allowed, not {state.Conditions}");
        }

        var offset = state.Start ?? ((long)(state.Page ?? 1) - 1) * (state.PageSize ?? StrapiDefaultPageSize);
        return offset > settings.MaxOffset
            ? StrapiQueryCheck.Refuse(Pagination, $"a page may start at row {settings.MaxOffset} at most, not {offset}")
            : new StrapiQueryCheck(null, null, state.Drafts);
    }

    private static string? CheckKey(CheckState state, StrapiQueryKey key, StringValues values, bool otherKeysAreTheRoutes)
    {
        var segments = key.Segments;
        return key.Root switch
        {
            Filters => CheckFilter(state, segments, values),
            Populate => CheckPopulate(state, segments, values),
            Fields => CheckList(segments, values, field => state.Policy.Fields.Contains(field), "fields", state.Policy.Fields),
            Sort => CheckSort(state, segments, values),
            Pagination => CheckPagination(state, segments, values),
            Locale => segments.Count == 0 && values.Count == 1 && LocalePattern().IsMatch(values[0] ?? "") ? null : "must be one locale code such as en or fr-FR",
            Status => segments.Count == 0 ? CheckStatus(state, values) : "takes published or draft",
            ViewPage when otherKeysAreTheRoutes && segments.Count == 0 => Number(values, 1, int.MaxValue, out state.Page),
            ViewPageSize when otherKeysAreTheRoutes && segments.Count == 0 => Number(values, 1, state.Settings.MaxPageSize, out state.PageSize),
            _ => otherKeysAreTheRoutes ? null : "is not a query parameter this route takes (filters, populate, fields, sort, pagination, locale, status)",
        };
    }

    /// <summary>The roots Strapi reads: always checked, also on routes whose other keys are their own.</summary>
    private static bool IsStrapiRoot(string root) => root is Filters or Populate or Fields or Sort or Pagination or Locale or Status;

    /// <summary><c>populate=customer</c>, <c>populate[0]=customer</c>, <c>populate[customer]=true</c>, <c>populate[customer][fields][0]=name</c>.</summary>
    private static string? CheckPopulate(CheckState state, IReadOnlyList<string> segments, StringValues values)
    {
        var relations = state.Policy.Populate;
        var allowed = relations.Count == 0 ? "none" : string.Join(", ", relations.Keys);
        bool IsRelation(string name) => relations.ContainsKey(name);
        switch (segments.Count)
        {
            case 0:
                return CheckList(segments, values, IsRelation, "relations to populate", relations.Keys);
            case 1 when StrapiQueryKey.IsIndex(segments[0], 10):
                return CheckList([], values, IsRelation, "relations to populate", relations.Keys);
            case 1 when IsRelation(segments[0]):
                return values is [ "true" ] ? null : $"populate[{segments[0]}] takes true, or fields: populate[{segments[0]}][fields][0]=…";
            case 1:
                return $"populating '{segments[0]}' is not allowed (allowed: {allowed})";
            default:
                if (!relations.TryGetValue(segments[0], out var relation))
                {
                    return $"populating '{segments[0]}' is not allowed (allowed: {allowed})";
                }

                return segments[1] == Fields && segments.Count <= 3
                    ? CheckList(segments.Skip(2).ToList(), values, relation.Fields.Contains, $"fields of {segments[0]}", relation.Fields)
                    : $"only populate[{segments[0]}][fields] is allowed under a relation, one level deep";
        }
    }

    /// <summary><c>sort=a:desc,b</c>, <c>sort[0]=a:desc</c>, <c>sort[a]=desc</c>; a field of the collection or <c>relation.field</c>.</summary>
    private static string? CheckSort(CheckState state, IReadOnlyList<string> segments, StringValues values)
    {
        if (segments.Count == 1 && !StrapiQueryKey.IsIndex(segments[0], 10))
        {
            return !Sortable(state.Policy, segments[0]) ? $"sorting by '{segments[0]}' is not allowed"
                : values.Count == 1 && values[0] is "asc" or "desc" or "ASC" or "DESC" ? null : "takes asc or desc";
        }

        return CheckList(segments, values, item =>
        {
            var colon = item.IndexOf(':', StringComparison.Ordinal);
            var field = colon < 0 ? item : item[..colon];
            var direction = colon < 0 ? "asc" : item[(colon + 1)..];
            return Sortable(state.Policy, field) && direction.ToLowerInvariant() is "asc" or "desc";
        }, "sort keys (field or field:asc|desc)", state.Policy.Fields);
    }

    private static bool Sortable(StrapiQueryModel policy, string field)
    {
        var dot = field.IndexOf('.', StringComparison.Ordinal);
        return dot < 0
            ? policy.Fields.Contains(field)
            : policy.Populate.TryGetValue(field[..dot], out var relation) && relation.Fields.Contains(field[(dot + 1)..]);
    }

    private static string? CheckPagination(CheckState state, IReadOnlyList<string> segments, StringValues values)
    {
        var max = state.Settings.MaxPageSize;
        return segments switch
        {
            ["page"] => Number(values, 1, int.MaxValue, out state.Page),
            ["pageSize"] => Number(values, 1, max, out state.PageSize),
            ["limit"] => Number(values, 1, max, out state.PageSize),
            ["start"] => Number(values, 0, int.MaxValue, out state.Start),
            ["withCount"] => values is ["true"] or ["false"] ? null : "takes true or false",
            _ => "takes page, pageSize, start, limit or withCount",
        };
    }

    private static string? CheckStatus(CheckState state, StringValues values)
    {
        if (values is ["draft"])
        {
            state.Drafts = true;
            return null;
        }

        return values is ["published"] ? null : "takes published or draft";
    }

    /// <summary>A list given as one comma-separated value or as indexed keys; every item must pass <paramref name="allowed"/>.</summary>
    private static string? CheckList(IReadOnlyList<string> segments, StringValues values, Func<string, bool> allowed, string what, IEnumerable<string> names)
    {
        if (segments.Count > 1 || (segments.Count == 1 && !StrapiQueryKey.IsIndex(segments[0], 100)))
        {
            return $"takes a list of {what}";
        }

        foreach (var value in values)
        {
            foreach (var item in (value ?? "").Split(',', StringSplitOptions.TrimEntries))
            {
                if (!allowed(item))
                {
                    var list = string.Join(", ", names);
                    return $"'{item}' is not one of the allowed {what} ({(list.Length > 0 ? list : "none")})";
                }
            }
        }

        return null;
    }

    private static string? Number(StringValues values, int least, int most, out int? number)
    {
        number = null;
        if (values.Count != 1 || !int.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed < least || parsed > most)
        {
            return most == int.MaxValue ? $"takes a whole number from {least}" : $"takes a whole number from {least} to {most}";
        }

        number = parsed;
        return null;
    }

    [GeneratedRegex("^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$")]
    private static partial Regex LocalePattern();

    private sealed class CheckState(StrapiQueryOptions settings, StrapiQueryModel policy)
    {
        public StrapiQueryOptions Settings { get; } = settings;

        public StrapiQueryModel Policy { get; } = policy;

        public int Conditions { get; set; }

        public bool Drafts { get; set; }

        // Fields, not properties: Number sets them by reference.
        public int? Page;
        public int? PageSize;
        public int? Start;
    }
}

/// <summary>The outcome of <see cref="StrapiQueryPolicy.Check"/>: refused (which parameter, which rule), or passed.</summary>
internal readonly record struct StrapiQueryCheck(string? Parameter, string? Rule, bool AsksForDrafts)
{
    public bool Refused => Parameter is not null;

    public static StrapiQueryCheck Refuse(string parameter, string rule) => new(parameter, rule, AsksForDrafts: false);
}

namespace Gateway.Strapi;

/// <summary>
/// What a caller may ask Strapi for in a query string, per collection. Section <c>StrapiQuery</c>. Strapi's REST query
/// language (filters through any relation, populate of everything, unbounded paging) is for trusted code; a reader
/// session is not trusted code, so the gateway lets through only what the dashboard needs, and refuses the rest.
/// </summary>
public sealed class StrapiQueryOptions
{
    public const string SectionName = "StrapiQuery";

    /// <summary>Largest <c>pagination[pageSize]</c>, <c>pagination[limit]</c> (and the EUR view's <c>pageSize</c>).</summary>
    public int MaxPageSize { get; set; } = 100;

    /// <summary>Largest row offset a page may start at (<c>pagination[start]</c>, or (page − 1) × pageSize).</summary>
    public int MaxOffset { get; set; } = 1_000_000;

    /// <summary>Most filter conditions (each filter value, each item of an <c>$in</c>) in one query.</summary>
    public int MaxConditions { get; set; } = 20;

    /// <summary>Most <c>$and</c>/<c>$or</c>/<c>$not</c> nested inside one another.</summary>
    public int MaxLogicalDepth { get; set; } = 2;

    /// <summary>Longest filter value, in characters (a <c>$contains</c> over a long value is a slow scan).</summary>
    public int MaxValueLength { get; set; } = 200;

    /// <summary>The filter operators allowed, logical ones (<c>$and $or $not</c>) included; none configured: <see cref="DefaultOperators"/>.</summary>
    public IList<string> Operators { get; } = [];

    public static IReadOnlyList<string> DefaultOperators { get; } =
        ["$eq", "$ne", "$lt", "$lte", "$gt", "$gte", "$in", "$notIn", "$contains", "$containsi", "$startsWith", "$null", "$notNull", "$and", "$or", "$not"];

    /// <summary>The policy of each collection, by the name routes give it (<c>{ "StrapiQuery": "invoices" }</c>).</summary>
    public IDictionary<string, StrapiQueryModel> Collections { get; } = new Dictionary<string, StrapiQueryModel>(StringComparer.OrdinalIgnoreCase);
}

/// <summary>One collection's query policy. Section <c>StrapiQuery:Collections:{name}</c>.</summary>
public sealed class StrapiQueryModel
{
    /// <summary>Fields a caller may select (<c>fields</c>) and sort by.</summary>
    public IList<string> Fields { get; } = [];

    /// <summary>Fields a caller may filter on: the collection's (<c>amount</c>) and a relation's (<c>customer.name</c>), one level.</summary>
    public IList<string> Filters { get; } = [];

    /// <summary>Relations a caller may populate, one level, each with the fields it may select (and sort by) there.</summary>
    public IDictionary<string, StrapiQueryRelation> Populate { get; } = new Dictionary<string, StrapiQueryRelation>(StringComparer.Ordinal);
}

/// <summary>A relation that may be populated. Section <c>StrapiQuery:Collections:{name}:Populate:{relation}</c>.</summary>
public sealed class StrapiQueryRelation
{
    public IList<string> Fields { get; } = [];
}

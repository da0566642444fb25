namespace Gateway.Caching;

/// <summary>A Strapi collection whose answers are cached: <c>ResponseCache:Collections:{name}</c>.</summary>
public sealed class CachedStrapiType
{
    /// <summary>Strapi's content-type uid, as its webhooks name it (<c>api::invoice.invoice</c>).</summary>
    public string Model { get; set; } = "";

    /// <summary>Collections whose answers can embed this one's entries (an invoice list populating its customers).</summary>
    public IList<string> Related { get; } = [];
}

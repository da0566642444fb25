namespace Gateway.Geo;

/// <summary>One source of the client's country; the resolvers are asked in order until one knows.</summary>
internal interface ICountryResolver
{
    /// <summary>Short name for logs: header, database, api.</summary>
    string Name { get; }

    /// <summary>An ISO 3166 alpha-2 code, or null when this source does not know. Never throws for a failing source.</summary>
    ValueTask<string?> ResolveAsync(HttpContext context, ClientAddress client, CancellationToken cancel);
}

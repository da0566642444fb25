namespace Gateway.Geo;

/// <summary>The local country database (<see cref="GeoDatabase"/>), for public addresses.</summary>
internal sealed class DatabaseCountryResolver(GeoDatabase database) : ICountryResolver
{
    public string Name => "database";

    public ValueTask<string?> ResolveAsync(HttpContext context, ClientAddress client, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(client);

        return ValueTask.FromResult(client.IsPublic ? database.Lookup(ClientAddress.Canonical(client.Address)) : null);
    }
}

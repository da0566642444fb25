using Microsoft.Extensions.Options;

namespace Gateway.Geo;

/// <summary>The CDN's country header (<see cref="GeoOptions.CountryHeader"/>), believed only from a trusted proxy.</summary>
internal sealed class CdnHeaderCountryResolver(IOptionsMonitor<GeoOptions> options) : ICountryResolver
{
    public string Name => "header";

    public ValueTask<string?> ResolveAsync(HttpContext context, ClientAddress client, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(client);

        var header = options.CurrentValue.CountryHeader;
        return ValueTask.FromResult(string.IsNullOrEmpty(header) || !client.ViaTrustedProxy
            ? null
            : CountryCode.Normalize(context.Request.Headers[header].ToString()));
    }
}

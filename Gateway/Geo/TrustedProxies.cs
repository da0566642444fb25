using System.Net;
using IPNetwork = System.Net.IPNetwork;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Gateway.Geo;

/// <summary>
/// The trusted proxies of <see cref="GeoOptions"/>, parsed once, and the forwarded-headers wiring built on them: the
/// connection's own address is noted before ASP.NET Core's <see cref="ForwardedHeadersMiddleware"/> replaces it with
/// the client's, so the country header can be believed only from a proxy.
/// </summary>
internal sealed class TrustedProxies
{
    private readonly IPNetwork[] _networks;

    public TrustedProxies(IOptions<GeoOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _networks = [.. options.Value.TrustedProxies.Select(Parse)];
    }

    public bool Any => _networks.Length > 0;

    public IReadOnlyList<IPNetwork> Networks => _networks;

    public bool Contains(IPAddress address)
    {
        address = ClientAddress.Canonical(address);
        foreach (var network in _networks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>An address (<c>10.0.0.1</c>) or a network (<c>10.0.0.0/8</c>); a bad one fails the start with its text.</summary>
    public static IPNetwork Parse(string value)
    {
        if (IPNetwork.TryParse(value, out var network))
        {
            return network;
        }

        if (IPAddress.TryParse(value, out var address))
        {
            address = ClientAddress.Canonical(address);
            return new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
        }

        throw new OptionsValidationException(GeoOptions.SectionName, typeof(GeoOptions), [$"Geo:TrustedProxies: '{value}' is not an IP address or CIDR network."]);
    }

    /// <summary>
    /// Forwarded-headers options that believe only these proxies (not even loopback, ASP.NET Core's default): the
    /// client's address (<c>X-Forwarded-For</c>) and the scheme it used (<c>X-Forwarded-Proto</c>), so behind a
    /// TLS-terminating proxy the request is HTTPS: the session cookie is <c>Secure</c>, the same-origin checks compare
    /// with the <c>https</c> origin, and the OpenID Connect <c>redirect_uri</c> is <c>https</c>. The host is not taken
    /// from the proxy: the proxy passes the browser's <c>Host</c> on.
    /// </summary>
    public void Configure(ForwardedHeadersOptions forwarded)
    {
        ArgumentNullException.ThrowIfNull(forwarded);

        forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
        forwarded.ForwardLimit = null;
        forwarded.KnownProxies.Clear();
        forwarded.KnownIPNetworks.Clear();
        foreach (var network in _networks)
        {
            forwarded.KnownIPNetworks.Add(network);
        }
    }
}

using Microsoft.AspNetCore.Http.Features;

namespace Gateway.Geo;

/// <summary>
/// Whether the connection came from a trusted proxy, noted before the forwarded-headers middleware replaces the
/// connection's address with the client's. Two shared instances: nothing is allocated per request.
/// </summary>
internal sealed class ClientAddressFeature
{
    public static readonly ClientAddressFeature FromTrustedProxy = new(true);
    public static readonly ClientAddressFeature Direct = new(false);

    private ClientAddressFeature(bool viaTrustedProxy) => ViaTrustedProxy = viaTrustedProxy;

    public bool ViaTrustedProxy { get; }

    /// <summary>The client as geo rerouting sees it, or null without a connection address (an in-memory test server).</summary>
    public static ClientAddress? Of(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        var address = context.Connection.RemoteIpAddress;
        return address is null
            ? null
            : new ClientAddress(address, context.Features.Get<ClientAddressFeature>()?.ViaTrustedProxy ?? false);
    }
}

using System.Net;
using System.Net.Sockets;

namespace Gateway.Geo;

/// <summary>
/// Who the client is for geo purposes. <see cref="Address"/> is the connection's address, or, when the connection came
/// from a trusted proxy, the address ASP.NET Core's forwarded-headers middleware took from <c>X-Forwarded-For</c>.
/// <see cref="ViaTrustedProxy"/> says whether the connection itself came from a trusted proxy, so a header that only a
/// proxy may set (a CDN's country) is believed.
/// </summary>
internal sealed record ClientAddress(IPAddress Address, bool ViaTrustedProxy)
{
    /// <summary>A public unicast address a geo lookup can say something about (private, loopback and link-local cannot).</summary>
    public bool IsPublic => IsPublicAddress(Address);

    public static IPAddress Canonical(IPAddress address)
        => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    internal static bool IsPublicAddress(IPAddress address)
    {
        address = Canonical(address);
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            return false;
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal || address.IsIPv6Multicast);
        }

        Span<byte> b = stackalloc byte[4];
        address.TryWriteBytes(b, out _);
        return !(b[0] == 10 || b[0] == 127 || b[0] == 0 || b[0] >= 224
            || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)
            || (b[0] == 192 && b[1] == 168)
            || (b[0] == 169 && b[1] == 254)
            || (b[0] == 100 && b[1] >= 64 && b[1] <= 127));
    }
}

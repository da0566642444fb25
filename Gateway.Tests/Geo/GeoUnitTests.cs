using System.Net;
using Gateway.Geo;

namespace Gateway.Tests.Geo;

public sealed class GeoUnitTests
{
    [Theory]
    [InlineData("FR", "FR")]
    [InlineData("fr", "FR")]
    [InlineData("XX", null)]
    [InlineData("T1", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    [InlineData("FRA", null)]
    [InlineData("F1", null)]
    public void CountryCode_NormalizedUnknownsDropped(string? value, string? expected)
    {
        Assert.Equal(expected, CountryCode.Normalize(value));
    }

    [Theory]
    [InlineData("51.158.36.186", true)]
    [InlineData("8.8.8.8", true)]
    [InlineData("::ffff:51.158.36.186", true)]
    [InlineData("2001:4860:4860::8888", true)]
    [InlineData("10.1.2.3", false)]
    [InlineData("172.16.0.1", false)]
    [InlineData("192.168.1.1", false)]
    [InlineData("127.0.0.1", false)]
    [InlineData("::1", false)]
    [InlineData("::ffff:10.0.0.1", false)]
    [InlineData("fe80::1", false)]
    [InlineData("fd00::1", false)]
    [InlineData("169.254.1.1", false)]
    [InlineData("100.64.0.1", false)]
    public void PublicAddresses_OnlyThoseAreLookedUp(string address, bool isPublic)
    {
        Assert.Equal(isPublic, new ClientAddress(IPAddress.Parse(address), false).IsPublic);
    }

    [Theory]
    [InlineData("10.0.0.0/8", "10.9.8.7", true)]
    [InlineData("10.0.0.0/8", "::ffff:10.9.8.7", true)]
    [InlineData("10.0.0.0/8", "11.0.0.1", false)]
    [InlineData("203.0.113.7", "203.0.113.7", true)]
    [InlineData("203.0.113.7", "203.0.113.8", false)]
    [InlineData("2001:db8::/32", "2001:db8::42", true)]
    public void TrustedProxies_AddressesAndNetworks(string trusted, string peer, bool expected)
    {
        var proxies = new TrustedProxies(Microsoft.Extensions.Options.Options.Create(new GeoOptions { TrustedProxies = { trusted } }));

        Assert.Equal(expected, proxies.Contains(IPAddress.Parse(peer)));
    }

    [Fact]
    public void TrustedProxies_BadEntry_ClearError()
    {
        var error = Assert.ThrowsAny<Exception>(() => new TrustedProxies(Microsoft.Extensions.Options.Options.Create(new GeoOptions { TrustedProxies = { "10.0.0.0/33x" } })));

        Assert.Contains("10.0.0.0/33x", error.Message, StringComparison.Ordinal);
    }
}

using System.Buffers.Text;
using System.Net;
using System.Text.Json;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Access;

/// <summary>The test OpenID Connect provider is what the gateway's tests assume: PKCE required, JWT access tokens with roles per audience.</summary>
public sealed class OidcProviderTests : IAsyncLifetime
{
    private OidcProvider _provider = null!;

    public async Task InitializeAsync() => _provider = await OidcProvider.StartAsync(new OidcProviderSettings());

    public async Task DisposeAsync() => await _provider.DisposeAsync();

    [Fact]
    public async Task Discovery_NamesItsIssuerAndS256()
    {
        using var http = new HttpClient { BaseAddress = _provider.BaseUrl };
        using var discovery = JsonDocument.Parse(await http.GetStringAsync(".well-known/openid-configuration"));

        Assert.Equal(_provider.Issuer, discovery.RootElement.GetProperty("issuer").GetString());
        Assert.Equal(["S256"], discovery.RootElement.GetProperty("code_challenge_methods_supported").EnumerateArray().Select(e => e.GetString()));
    }

    [Theory]
    [InlineData(OidcProvider.Audience)]
    [InlineData(OidcProvider.OtherAudience)]
    public async Task ClientCredentials_JwtForTheAudienceWithRoles(string audience)
    {
        var token = await _provider.ClientCredentialsTokenAsync(audience);

        using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(token.Split('.')[1]));
        Assert.Equal(_provider.Issuer, payload.RootElement.GetProperty("iss").GetString());
        Assert.Equal(audience, payload.RootElement.GetProperty("aud").GetString());
        Assert.Equal(["reader"], payload.RootElement.GetProperty("roles").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task ShortLivedClient_TokenLivesTwoSeconds()
    {
        var token = await _provider.ClientCredentialsTokenAsync(shortLived: true);

        using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(token.Split('.')[1]));
        Assert.Equal(2, payload.RootElement.GetProperty("exp").GetInt64() - payload.RootElement.GetProperty("iat").GetInt64());
    }

    [Fact]
    public async Task AuthorizationRequestWithoutPkce_Refused()
    {
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = _provider.BaseUrl };
        var redirect = Uri.EscapeDataString("http://127.0.0.1:8080/signin-oidc");

        using var response = await http.GetAsync($"auth?client_id={OidcProvider.ClientId}&response_type=code&scope=openid&redirect_uri={redirect}");

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.StartsWith("http://127.0.0.1:8080/signin-oidc?error=invalid_request", response.Headers.Location?.AbsoluteUri, StringComparison.Ordinal);
    }
}

using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Gateway.Access;
using Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Access;

/// <summary>OpenID Connect off, misconfigured, or its provider unreachable: nothing registered, no start, or clean 502/401 answers.</summary>
public sealed class OidcConfigurationTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    [Fact]
    public async Task NoAuthority_NoOidcSchemes()
    {
        await using var strapi = await StubUpstream.StartAsync();
        await using var gateway = new GatewayHost(strapi.BaseUrl, strapi.BaseUrl, redis.Server.Configuration, accessControl: true);
        using var client = gateway.CreateGatewayClient();

        var schemes = gateway.Services.GetRequiredService<IAuthenticationSchemeProvider>();

        Assert.Null(await schemes.GetSchemeAsync(AccessSchemes.Oidc));
        Assert.Null(await schemes.GetSchemeAsync(AccessSchemes.OidcBearer));
    }

    [Theory]
    [InlineData("Access:Oidc:ClientId", "ClientId")]
    [InlineData("Access:Oidc:ClientSecret", "ClientSecret")]
    [InlineData("Access:Oidc:Audience", "Audience")]
    [InlineData("Access:Oidc:RequireHttpsMetadata", "https")]
    [InlineData("Access:Oidc:Authority", "absolute")]
    public void AuthorityWithoutTheRest_ValidationNamesWhatIsMissing(string changed, string named)
    {
        var settings = OidcStack.OidcSettings("http://127.0.0.1:1");
        settings[changed] = changed switch
        {
            "Access:Oidc:RequireHttpsMetadata" => "true",
            "Access:Oidc:Authority" => "not-a-url",
            _ => "",
        };

        var result = new OidcAccessOptionsValidator().Validate(null, Bind(settings));

        Assert.True(result.Failed);
        Assert.Contains(named, result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain(OidcProvider.ClientSecret, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void CompleteOrOff_Valid()
    {
        Assert.True(new OidcAccessOptionsValidator().Validate(null, Bind(OidcStack.OidcSettings("http://127.0.0.1:1"))).Succeeded);
        Assert.True(new OidcAccessOptionsValidator().Validate(null, new OidcAccessOptions()).Succeeded);
    }

    [Fact]
    public async Task AuthorityWithoutClientId_GatewayDoesNotStart()
    {
        await using var strapi = await StubUpstream.StartAsync();
        var settings = OidcStack.OidcSettings("http://127.0.0.1:1");
        settings["Access:Oidc:ClientId"] = "";
        await using var gateway = new GatewayHost(strapi.BaseUrl, strapi.BaseUrl, redis.Server.Configuration, settings, accessControl: true);
        gateway.EarlySettings["Access:Oidc:Authority"] = "http://127.0.0.1:1";

        Assert.ThrowsAny<Exception>(() => gateway.CreateGatewayClient());
    }

    [Fact]
    public async Task ProviderUnreachable_SignIn502_Bearer401_LoggedOnce()
    {
        await using var strapi = await StubUpstream.StartAsync();
        var authority = $"http://127.0.0.1:{FreePort.Next()}";
        await using var gateway = OidcStack.StartGateway(strapi.BaseUrl, redis.Server.Configuration, authority);
        using var client = gateway.CreateGatewayClient();
        var token = UnsignedToken(authority);

        using var signIn = await client.GetAsync("/auth/login/oidc");
        using var first = await SendBearerAsync(client, token);
        using var second = await SendBearerAsync(client, token);

        await ProblemAssert.IsProblemAsync(signIn, HttpStatusCode.BadGateway);
        await ProblemAssert.IsProblemAsync(first, HttpStatusCode.Unauthorized);
        Assert.Equal("Bearer", Assert.Single(second.Headers.WwwAuthenticate).Scheme);
        Assert.Empty(strapi.Requests);
        Assert.Single(gateway.ConfiguredLogs.Lines, l => l.Contains("OpenID Connect provider unreachable", StringComparison.Ordinal));
        Assert.DoesNotContain(gateway.ConfiguredLogs.Lines, l => l.Contains("   at ", StringComparison.Ordinal));
    }

    private static OidcAccessOptions Bind(Dictionary<string, string?> settings)
        => new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection(OidcAccessOptions.SectionName).Get<OidcAccessOptions>()!;

    /// <summary>A JWT-shaped token naming <paramref name="issuer"/>, so the gateway sends it to the OpenID Connect scheme.</summary>
    private static string UnsignedToken(string issuer)
    {
        static string Part(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));
        return $"{Part("""{"alg":"RS256","typ":"JWT","kid":"k"}""")}.{Part($$"""{"iss":"{{issuer}}","aud":"{{OidcProvider.Audience}}","sub":"x","exp":4102444800}""")}.{Part("signature")}";
    }

    private static async Task<HttpResponseMessage> SendBearerAsync(HttpClient client, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v2/invoices/en-us");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.SendAsync(request);
    }
}

using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Access;

/// <summary>
/// A gateway with access control on and OpenID Connect configured against a real provider (<see cref="OidcProvider"/>),
/// a real Redis, and a stand-in Strapi (and frontend) that records what reaches it. Clock skew zero, so the provider's
/// short-lived tokens are refused as soon as they expire.
/// </summary>
public sealed class OidcStack : IAsyncLifetime
{
    private RedisServer? _redis;
    private GatewayHost? _gateway;

    public StubUpstream Strapi { get; private set; } = null!;

    public OidcProvider Provider { get; private set; } = null!;

    public GatewayHost Gateway => _gateway ?? throw new InvalidOperationException("The stack has not started.");

    /// <summary>An anonymous client of the gateway (no cookies, no redirects followed).</summary>
    public HttpClient Client { get; private set; } = null!;

    public static Dictionary<string, string?> OidcSettings(string authority) => new()
    {
        ["Access:Oidc:Authority"] = authority,
        ["Access:Oidc:ClientId"] = OidcProvider.ClientId,
        ["Access:Oidc:ClientSecret"] = OidcProvider.ClientSecret,
        ["Access:Oidc:Audience"] = OidcProvider.Audience,
        ["Access:Oidc:Scopes:0"] = "openid",
        ["Access:Oidc:Scopes:1"] = "profile",
        ["Access:Oidc:Scopes:2"] = "email",
        ["Access:Oidc:Scopes:3"] = "roles",
        ["Access:Oidc:RequireHttpsMetadata"] = "false",
        ["Access:Oidc:ClockSkew"] = "00:00:00",
    };

    /// <summary>
    /// A gateway with access control on and OpenID Connect against <paramref name="authority"/>. The authority is also an
    /// early setting: whether the OpenID Connect schemes exist is decided while the app is built, before the settings a
    /// test layers on are read.
    /// </summary>
    public static GatewayHost StartGateway(Uri strapi, string redis, string authority)
    {
        var gateway = new GatewayHost(strapi, strapi, redis, OidcSettings(authority), accessControl: true);
        gateway.EarlySettings["Access:Oidc:Authority"] = authority;
        return gateway;
    }

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        Strapi = await StubUpstream.StartAsync();
        Strapi.Respond(200, """{"data":[],"meta":{}}""");

        // The gateway needs the provider's address in its settings, the provider the gateway's redirect URI.
        var providerPort = FreePort.Next();
        _gateway = StartGateway(Strapi.BaseUrl, _redis.Configuration, $"http://127.0.0.1:{providerPort}");
        Client = _gateway.CreateGatewayClient();
        Provider = await OidcProvider.StartAsync(new OidcProviderSettings { Port = providerPort, GatewayBaseUrls = [_gateway.Address] });
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        if (Provider is not null)
        {
            await Provider.DisposeAsync();
        }

        if (Strapi is not null)
        {
            await Strapi.DisposeAsync();
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }
}

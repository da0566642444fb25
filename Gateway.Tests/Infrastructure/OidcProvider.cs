using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Serialization;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// A real OpenID Connect provider (the oidc-provider npm package, testing/oidc-provider/server.mjs, installed by
/// scripts/oidc-install) on a free loopback port. One confidential client with PKCE required, users alice (editor),
/// bob (reader) and carol (no role), JWT access tokens for the resource indicators in <see cref="OidcProviderSettings.Resources"/>.
/// </summary>
public sealed class OidcProvider : IAsyncDisposable
{
    public const string ClientId = "gateway";
    public const string ClientSecret = "gateway-test-client-secret";

    /// <summary>A second client (same secret, client credentials only) whose tokens live <see cref="OidcProviderSettings.ShortLivedTokenLifetime"/>.</summary>
    public const string ShortLivedClientId = ClientId + "-short-lived";
    public const string Audience = "urn:gateway:api";
    public const string OtherAudience = "urn:other:api";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly ServerProcess _process;

    private OidcProvider(ServerProcess process, Uri baseUrl, string issuer)
    {
        _process = process;
        BaseUrl = baseUrl;
        Issuer = issuer;
    }

    /// <summary>Where the provider listens, with a trailing slash.</summary>
    public Uri BaseUrl { get; }

    /// <summary>The issuer (no trailing slash): what the gateway takes as <c>Access:Oidc:Authority</c>.</summary>
    public string Issuer { get; }

    public static async Task<OidcProvider> StartAsync(OidcProviderSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);

        var project = RepositoryPaths.File("testing/oidc-provider");
        if (!File.Exists(Path.Combine(project, "node_modules", "oidc-provider", "package.json")))
        {
            throw new InvalidOperationException("The test OpenID Connect provider is not installed: run ./test (it runs scripts/oidc-install first).");
        }

        var port = settings.Port ?? FreePort.Next();
        var baseUrl = new Uri($"http://127.0.0.1:{port}/");
        var issuer = settings.Issuer ?? $"http://127.0.0.1:{port}";
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = project,
            ArgumentList = { "server.mjs" },
            Environment =
            {
                ["OIDC_PORT"] = port.ToString(CultureInfo.InvariantCulture),
                ["OIDC_ISSUER"] = issuer,
                ["OIDC_CLIENT_ID"] = ClientId,
                ["OIDC_CLIENT_SECRET"] = ClientSecret,
                ["OIDC_REDIRECT_URIS"] = string.Join(',', settings.GatewayBaseUrls.Select(url => new Uri(url, "signin-oidc").AbsoluteUri)),
                ["OIDC_POST_LOGOUT_URIS"] = string.Join(',', settings.GatewayBaseUrls.Select(url => url.AbsoluteUri)),
                ["OIDC_RESOURCES"] = string.Join(',', settings.Resources),
                ["OIDC_ACCESS_TOKEN_TTL"] = ((int)settings.AccessTokenLifetime.TotalSeconds).ToString(CultureInfo.InvariantCulture),
                ["OIDC_CLIENT_ROLES"] = string.Join(',', settings.ClientRoles),
                ["OIDC_SHORT_LIVED_TTL"] = ((int)settings.ShortLivedTokenLifetime.TotalSeconds).ToString(CultureInfo.InvariantCulture),
            },
        };

        var provider = new OidcProvider(ServerProcess.Start(start), baseUrl, issuer);
        try
        {
            await provider._process.WaitUntilAsync(baseUrl, provider.IsReadyAsync, StartTimeout, "The OpenID Connect provider");
        }
        catch
        {
            await provider.DisposeAsync();
            throw;
        }

        return provider;
    }

    /// <summary>A client-credentials access token (a JWT) for <paramref name="resource"/>, of <see cref="ClientId"/> or of <see cref="ShortLivedClientId"/>.</summary>
    public async Task<string> ClientCredentialsTokenAsync(string resource = Audience, bool shortLived = false)
    {
        using var http = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(10) };
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = shortLived ? ShortLivedClientId : ClientId,
            ["client_secret"] = ClientSecret,
            ["resource"] = resource,
            ["scope"] = "api",
        });
        using var response = await http.PostAsync("token", form);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"The provider refused a client-credentials token: {(int)response.StatusCode} {body}");
        }

        var token = System.Text.Json.JsonSerializer.Deserialize<TokenResponse>(body);
        return token?.AccessToken ?? throw new InvalidOperationException($"No access token in {body}");
    }

    public async ValueTask DisposeAsync() => await _process.DisposeAsync();

    private async Task<bool> IsReadyAsync(HttpClient http)
    {
        using var response = await http.GetAsync(".well-known/openid-configuration");
        return response.StatusCode == HttpStatusCode.OK && (await response.Content.ReadFromJsonAsync<Discovery>())?.Issuer == Issuer;
    }

    private sealed record Discovery([property: JsonPropertyName("issuer")] string Issuer);

    private sealed record TokenResponse([property: JsonPropertyName("access_token")] string AccessToken);
}

/// <summary>How a test's <see cref="OidcProvider"/> is set up.</summary>
public sealed record OidcProviderSettings
{
    /// <summary>The gateways that may sign in with it: each gets <c>/signin-oidc</c> as a redirect URI.</summary>
    public IReadOnlyList<Uri> GatewayBaseUrls { get; init; } = [new Uri("http://127.0.0.1:8080/")];

    /// <summary>Resource indicators that get JWT access tokens (their <c>aud</c>).</summary>
    public IReadOnlyList<string> Resources { get; init; } = [OidcProvider.Audience, OidcProvider.OtherAudience];

    public TimeSpan AccessTokenLifetime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long the tokens of <see cref="OidcProvider.ShortLivedClientId"/> live (whole seconds).</summary>
    public TimeSpan ShortLivedTokenLifetime { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Roles put in client-credentials tokens.</summary>
    public IReadOnlyList<string> ClientRoles { get; init; } = ["reader"];

    /// <summary>
    /// The port to listen on; null: a free one. A gateway needs the provider's address in its settings and the provider
    /// needs the gateway's redirect URI, so a test picks the provider's port (<see cref="FreePort"/>) before either starts.
    /// </summary>
    public int? Port { get; init; }

    /// <summary>Another instance's issuer, to sign look-alike tokens with a key of its own; null: its own address.</summary>
    public string? Issuer { get; init; }
}

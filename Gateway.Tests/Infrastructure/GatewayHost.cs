using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Configuration;
using System.Text.Json;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// The real gateway (its own Program, yarp.json and appsettings.json) on Kestrel on a loopback port, with
/// settings layered on top as environment variables or user-secrets would be.
/// Access control: by default every route of the repository's yarp.json (and every route the settings add) is opened
/// the way an operator would (<c>AuthorizationPolicy</c> = <c>anonymous</c>), so a test that is not about access
/// control calls routes anonymously; <c>accessControl: true</c> keeps yarp.json's policies as they are.
/// </summary>
public sealed class GatewayHost : WebApplicationFactory<Program>
{
    public const string Token = "test-strapi-token-7f3a";

    /// <summary>Strapi's users-permissions JWT secret in tests (the real Strapi gets the same as JWT_SECRET).</summary>
    public const string StrapiJwtSecret = "test-strapi-jwt-secret-0123456789abcdef";

    /// <summary>An admin key of the required length, for tests of the redirect admin API.</summary>
    public const string AdminKey = "test-admin-key-0123456789abcdef-0123456789";

    private readonly Dictionary<string, string?> _settings;

    public GatewayHost(Uri strapi, Uri frontend, string redis, IReadOnlyDictionary<string, string?>? settings = null, bool accessControl = false)
    {
        _settings = new Dictionary<string, string?>
        {
            ["Strapi:BaseUrl"] = strapi.AbsoluteUri,
            ["Strapi:Token"] = Token,
            ["Frontend:BaseUrl"] = frontend.AbsoluteUri,
            ["Redis:Configuration"] = redis,
            ["Access:StrapiJwt:Secret"] = StrapiJwtSecret,
            ["Urls"] = "http://127.0.0.1:0",
            ["Telemetry:ManagementUrl"] = "http://127.0.0.1:0",

            // Off unless a test turns it on: the stand-ins change their answers between tests of one fixture.
            ["ResponseCache:Enabled"] = "false",
        };
        if (!accessControl)
        {
            foreach (var route in RouteIds(settings))
            {
                _settings[$"ReverseProxy:Routes:{route}:AuthorizationPolicy"] = "anonymous";
            }
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }

        UseKestrel(0);
    }

    /// <summary>The route ids of the repository's yarp.json and of the routes <paramref name="settings"/> add.</summary>
    internal static HashSet<string> RouteIds(IReadOnlyDictionary<string, string?>? settings)
    {
        using var map = JsonDocument.Parse(File.ReadAllText(RepositoryPaths.File("yarp.json")),
            new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var ids = map.RootElement.GetProperty("ReverseProxy").GetProperty("Routes").EnumerateObject().Select(route => route.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        const string prefix = "ReverseProxy:Routes:";
        foreach (var key in settings?.Keys ?? [])
        {
            if (key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && key.IndexOf(':', prefix.Length) is > 0 and var end)
            {
                ids.Add(key[prefix.Length..end]);
            }
        }

        return ids;
    }

    /// <summary>Every log line the gateway wrote, at every level down to Trace.</summary>
    public LogCapture Logs { get; } = new();

    /// <summary>The log lines the gateway's configured levels let through, as its console would show them.</summary>
    public ConfiguredLogCapture ConfiguredLogs { get; } = new();

    /// <summary>The gateway's address on loopback, once started.</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>Starts the gateway; returns a client of it over TCP that does not follow redirects, so tests see them.</summary>
    public HttpClient CreateGatewayClient()
    {
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
        Address = new Uri(addresses.First());
        return new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = Address };
    }

    /// <summary>The management port's address (metrics, health), once started.</summary>
    public Uri ManagementAddress => Services.GetRequiredService<Gateway.Telemetry.ManagementServer>().Address!;

    /// <summary>Services added after the app's own, e.g. an in-memory trace exporter.</summary>
    public Action<IServiceCollection>? ExtraServices { get; set; }

    /// <summary>Settings the app reads while it is being built, before the configuration above is layered on.</summary>
    public Dictionary<string, string> EarlySettings { get; } = [];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        foreach (var (key, value) in EarlySettings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(_settings));
        if (ExtraServices is not null)
        {
            builder.ConfigureServices(ExtraServices);
        }

        builder.ConfigureLogging(logging => logging.AddProvider(Logs).AddFilter<LogCapture>(_ => true).AddProvider(ConfiguredLogs));
    }
}

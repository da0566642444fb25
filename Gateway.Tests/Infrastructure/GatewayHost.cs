using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Configuration;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// The real gateway (its own Program, yarp.json and appsettings.json) on Kestrel on a loopback port, with
/// settings layered on top as environment variables or user-secrets would be.
/// </summary>
public sealed class GatewayHost : WebApplicationFactory<Program>
{
    public const string Token = "test-strapi-token-7f3a";

    private readonly Dictionary<string, string?> _settings;

    public GatewayHost(Uri strapi, Uri frontend, string redis, IReadOnlyDictionary<string, string?>? settings = null)
    {
        _settings = new Dictionary<string, string?>
        {
            ["Strapi:BaseUrl"] = strapi.AbsoluteUri,
            ["Strapi:Token"] = Token,
            ["Frontend:BaseUrl"] = frontend.AbsoluteUri,
            ["Redis:Configuration"] = redis,
            ["Urls"] = "http://127.0.0.1:0",

            // Off unless a test turns it on: the stand-ins change their answers between tests of one fixture.
            ["ResponseCache:Enabled"] = "false",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }

        UseKestrel(0);
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
        builder.ConfigureLogging(logging => logging.AddProvider(Logs).AddFilter<LogCapture>(_ => true).AddProvider(ConfiguredLogs));
    }
}

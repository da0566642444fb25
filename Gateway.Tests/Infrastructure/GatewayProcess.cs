using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// The built gateway (Gateway.dll beside the tests, the repository's yarp.json and appsettings.json) as a process of its
/// own on free loopback ports, as ./run and the container start it: for tests that stop it with a real signal. Settings
/// go in as environment variables (<c>A:B</c> → <c>A__B</c>); every route is opened (<c>anonymous</c>) unless
/// <c>accessControl</c>, as <see cref="GatewayHost"/> does.
/// </summary>
public sealed class GatewayProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly ServerProcess _process;

    private GatewayProcess(ServerProcess process, Uri address, Uri management)
    {
        _process = process;
        Address = address;
        Management = management;
    }

    /// <summary>The gateway's own port (<c>http://127.0.0.1:port/</c>).</summary>
    public Uri Address { get; }

    /// <summary>The management port (health, metrics).</summary>
    public Uri Management { get; }

    public static async Task<GatewayProcess> StartAsync(Uri strapi, Uri frontend, string redis, IReadOnlyDictionary<string, string?> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var port = FreePort.Next();
        var managementPort = FreePort.Next();
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "Gateway.dll"), "--contentRoot", RepositoryPaths.File("Gateway") },
            WorkingDirectory = RepositoryPaths.Root,
        };
        var environment = new Dictionary<string, string?>
        {
            ["Urls"] = $"http://127.0.0.1:{port}",
            ["Telemetry:ManagementUrl"] = $"http://127.0.0.1:{managementPort}",
            ["Gateway:YarpFile"] = RepositoryPaths.File("yarp.json"),
            ["Strapi:BaseUrl"] = strapi.AbsoluteUri,
            ["Strapi:Token"] = GatewayHost.Token,
            ["Frontend:BaseUrl"] = frontend.AbsoluteUri,
            ["Redis:Configuration"] = redis,
            ["Access:StrapiJwt:Secret"] = GatewayHost.StrapiJwtSecret,
        };
        foreach (var route in GatewayHost.RouteIds(settings))
        {
            environment[$"ReverseProxy:Routes:{route}:AuthorizationPolicy"] = "anonymous";
        }

        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var address = new Uri($"http://127.0.0.1:{port}/");
        var management = new Uri($"http://127.0.0.1:{managementPort}/");
        var gateway = new GatewayProcess(ServerProcess.Start(start), address, management);
        try
        {
            // Ready: the redirect table is loaded (readiness 200, Degraded or not).
            await gateway._process.WaitUntilAsync(management, async http =>
            {
                using var response = await http.GetAsync("readyz");
                return response.StatusCode == HttpStatusCode.OK;
            }, StartTimeout, "the gateway");
        }
        catch
        {
            await gateway.DisposeAsync();
            throw;
        }

        return gateway;
    }

    /// <summary>SIGTERM, as Docker, Podman and Kubernetes stop a container.</summary>
    public Task TerminateAsync() => _process.SignalAsync("-TERM");

    /// <summary>Waits for the process to exit after <see cref="TerminateAsync"/>; its exit code.</summary>
    public Task<int> WaitForExitAsync(TimeSpan timeout) => _process.WaitForExitAsync(timeout);

    public string Output => _process.Output;

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"gateway on {Address.Port}");
}

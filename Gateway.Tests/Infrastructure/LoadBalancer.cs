using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// Debian's nginx (installed by scripts/browser-install) running the repository's own <c>deploy/nginx.conf</c> on a free
/// 127.0.0.1 port in front of gateways on loopback: the same <c>location</c> (retries, timeouts, headers) and upstream
/// parameters as in docker-compose.yml, with only what is Compose's replaced: the upstream's servers are the given
/// addresses instead of the re-resolved service name (Debian 12's nginx 1.22 has no <c>resolve</c>), nginx listens on
/// loopback, and its files live in a temporary directory. A change to deploy/nginx.conf's shape that these
/// replacements do not find fails the start, so the test keeps testing that file.
/// </summary>
public sealed partial class LoadBalancer : IAsyncDisposable
{
    private const string Nginx = "/usr/sbin/nginx";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);
    private readonly ServerProcess _process;
    private readonly string _directory;

    private LoadBalancer(ServerProcess process, Uri baseUrl, string directory)
    {
        _process = process;
        BaseUrl = baseUrl;
        _directory = directory;
    }

    public Uri BaseUrl { get; }

    public static async Task<LoadBalancer> StartAsync(IReadOnlyList<Uri> gateways)
    {
        ArgumentNullException.ThrowIfNull(gateways);
        if (!File.Exists(Nginx))
        {
            throw new InvalidOperationException("nginx is missing: run scripts/browser-install (./test does).");
        }

        var directory = Directory.CreateTempSubdirectory("gateway-lb-").FullName;
        var port = FreePort.Next();
        var config = Path.Combine(directory, "nginx.conf");
        await File.WriteAllTextAsync(config, Config(await File.ReadAllTextAsync(RepositoryPaths.File("deploy/nginx.conf")), directory, port, gateways));
        var start = new ProcessStartInfo(Nginx)
        {
            ArgumentList = { "-p", directory, "-e", Path.Combine(directory, "error.log"), "-c", config, "-g", "daemon off;" },
        };
        var baseUrl = new Uri($"http://127.0.0.1:{port}/");
        var balancer = new LoadBalancer(ServerProcess.Start(start), baseUrl, directory);
        try
        {
            await balancer._process.WaitUntilAsync(baseUrl, async http =>
            {
                using var response = await http.GetAsync("healthz");
                return response.StatusCode == HttpStatusCode.OK;
            }, StartTimeout, "nginx");
        }
        catch
        {
            await balancer.DisposeAsync();
            throw;
        }

        return balancer;
    }

    public HttpClient CreateClient() => new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = BaseUrl };

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>deploy/nginx.conf with Compose's parts replaced for loopback; throws if one of them is not found.</summary>
    internal static string Config(string deployed, string directory, int port, IReadOnlyList<Uri> gateways)
    {
        var server = UpstreamServer().Match(deployed);
        if (!server.Success)
        {
            throw new InvalidOperationException("deploy/nginx.conf has no `server gateway:PORT resolve …;` in its upstream");
        }

        var servers = string.Join("\n", gateways.Select(g => string.Create(CultureInfo.InvariantCulture, $"        server 127.0.0.1:{g.Port}{server.Groups["parameters"].Value};")));
        var config = Replace(deployed, UpstreamServer(), servers);
        config = Replace(config, Resolver(), "");
        config = Replace(config, Pid(), $"pid {directory}/nginx.pid;");
        config = Replace(config, Listen(), string.Create(CultureInfo.InvariantCulture, $"listen 127.0.0.1:{port};"));
        return Replace(config, HttpBlock(), $"""
            http {"{"}
                error_log {directory}/error.log warn;
                client_body_temp_path {directory}/body;
                proxy_temp_path {directory}/proxy;
                fastcgi_temp_path {directory}/fastcgi;
                uwsgi_temp_path {directory}/uwsgi;
                scgi_temp_path {directory}/scgi;
            """);
    }

    private static string Replace(string text, Regex pattern, string replacement) => pattern.IsMatch(text)
        ? pattern.Replace(text, replacement.Replace("$", "$$", StringComparison.Ordinal), 1)
        : throw new InvalidOperationException($"deploy/nginx.conf no longer matches {pattern}");

    [GeneratedRegex(@"^\s*server gateway:\d+ resolve(?<parameters>[^;]*);", RegexOptions.Multiline)]
    private static partial Regex UpstreamServer();

    [GeneratedRegex(@"^\s*resolver [^;]*;", RegexOptions.Multiline)]
    private static partial Regex Resolver();

    [GeneratedRegex(@"^pid [^;]*;", RegexOptions.Multiline)]
    private static partial Regex Pid();

    [GeneratedRegex(@"\blisten \d+;")]
    private static partial Regex Listen();

    [GeneratedRegex(@"^http \{", RegexOptions.Multiline)]
    private static partial Regex HttpBlock();
}

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// Debian's nginx (installed by scripts/browser-install) terminating TLS on a free 127.0.0.1 port with a self-signed
/// certificate that openssl makes at start, in a temporary directory, for 127.0.0.1. It proxies everything to the
/// gateway as a production proxy would (original <c>Host</c>, <c>X-Forwarded-For</c>, <c>X-Forwarded-Proto</c>), and
/// connects from <see cref="ProxyAddress"/>: a gateway that trusts only that address tells the proxy's requests from
/// a client's on 127.0.0.1.
/// </summary>
public sealed class TlsProxy : IAsyncDisposable
{
    /// <summary>The address nginx connects to the gateway from (<c>proxy_bind</c>): the one to put in <c>Geo:TrustedProxies</c>.</summary>
    public const string ProxyAddress = "127.0.0.2";

    private const string Nginx = "/usr/sbin/nginx";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);
    private readonly ServerProcess _process;
    private readonly string _directory;

    private readonly string _certificateHash;

    private TlsProxy(ServerProcess process, Uri baseUrl, string directory)
    {
        _process = process;
        BaseUrl = baseUrl;
        _directory = directory;
        using var certificate = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(directory, "cert.pem"));
        _certificateHash = certificate.GetCertHashString();
    }

    /// <summary><c>https://127.0.0.1:port/</c>.</summary>
    public Uri BaseUrl { get; }

    public static async Task<TlsProxy> StartAsync(Uri gateway)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        if (!File.Exists(Nginx))
        {
            throw new InvalidOperationException("nginx is missing: run scripts/browser-install (./test does).");
        }

        var directory = Directory.CreateTempSubdirectory("gateway-tls-proxy-").FullName;
        TlsProxy? proxy = null;
        try
        {
            await RunAsync("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", Path.Combine(directory, "key.pem"), "-out", Path.Combine(directory, "cert.pem"));
            var port = FreePort.Next();
            var config = Path.Combine(directory, "nginx.conf");
            await File.WriteAllTextAsync(config, Config(directory, port, gateway));
            var start = new ProcessStartInfo(Nginx)
            {
                ArgumentList = { "-p", directory, "-e", Path.Combine(directory, "error.log"), "-c", config, "-g", "daemon off; master_process off;" },
            };

            var baseUrl = new Uri($"https://127.0.0.1:{port}/");
            proxy = new TlsProxy(ServerProcess.Start(start), baseUrl, directory);
            await proxy._process.WaitUntilAsync(baseUrl, _ => proxy.AnswersAsync(), StartTimeout, "nginx");
            return proxy;
        }
        catch
        {
            if (proxy is not null)
            {
                await proxy.DisposeAsync();
            }
            else
            {
                Directory.Delete(directory, recursive: true);
            }

            throw;
        }
    }

    /// <summary>A client of the proxy that trusts its self-signed certificate (that one only), keeps no cookies and follows no redirects.</summary>
    public HttpClient CreateClient() => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString() == _certificateHash },
    })
    { BaseAddress = BaseUrl };

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private static string Config(string directory, int port, Uri gateway) => string.Create(CultureInfo.InvariantCulture, $$"""
        pid {{directory}}/nginx.pid;
        error_log {{directory}}/error.log warn;
        events { worker_connections 64; }
        http {
          access_log off;
          client_body_temp_path {{directory}}/body;
          proxy_temp_path {{directory}}/proxy;
          fastcgi_temp_path {{directory}}/fastcgi;
          uwsgi_temp_path {{directory}}/uwsgi;
          scgi_temp_path {{directory}}/scgi;
          server {
            listen 127.0.0.1:{{port}} ssl;
            ssl_certificate {{directory}}/cert.pem;
            ssl_certificate_key {{directory}}/key.pem;
            location / {
              proxy_pass http://{{gateway.Authority}};
              proxy_bind {{ProxyAddress}};
              proxy_http_version 1.1;
              proxy_set_header Host $http_host;
              proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
              proxy_set_header X-Forwarded-Proto $scheme;
              proxy_buffering off;
            }
          }
        }
        """);

    private static async Task RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = ChildProcesses.Track(Process.Start(start)!);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} failed ({process.ExitCode}): {await output}{await error}");
        }
    }

    /// <summary>Ready when the TLS handshake succeeds and the gateway answers through the proxy.</summary>
    private async Task<bool> AnswersAsync()
    {
        using var client = CreateClient();
        client.Timeout = TimeSpan.FromSeconds(2);
        using var response = await client.GetAsync("healthz");
        return response.StatusCode == HttpStatusCode.OK;
    }
}

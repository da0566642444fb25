using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// testing/frontend/server.mjs on a free loopback port: a stand-in for the Next.js dashboard that renders its pages on
/// the server from a real Strapi (with Strapi's token, as the dashboard does), shows the identity headers the gateway
/// sent, and records every request it received (<see cref="RequestsAsync"/>).
/// </summary>
public sealed class FrontendStandIn : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly ServerProcess _process;

    private FrontendStandIn(ServerProcess process, Uri baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
    }

    /// <summary>Where the stand-in listens, with a trailing slash: the gateway's <c>Frontend:BaseUrl</c>.</summary>
    public Uri BaseUrl { get; }

    public static async Task<FrontendStandIn> StartAsync(Uri strapi, string strapiToken)
    {
        ArgumentNullException.ThrowIfNull(strapi);
        ArgumentException.ThrowIfNullOrEmpty(strapiToken);

        var port = FreePort.Next();
        var baseUrl = new Uri($"http://127.0.0.1:{port}/");
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = RepositoryPaths.File("testing/frontend"),
            ArgumentList = { "server.mjs" },
            Environment =
            {
                ["STRAPI_URL"] = strapi.AbsoluteUri,
                ["STRAPI_TOKEN"] = strapiToken,
                ["PORT"] = port.ToString(CultureInfo.InvariantCulture),
            },
        };

        var frontend = new FrontendStandIn(ServerProcess.Start(start), baseUrl);
        try
        {
            await frontend._process.WaitUntilAsync(baseUrl, IsReadyAsync, StartTimeout, "The frontend stand-in");
        }
        catch
        {
            await frontend.DisposeAsync();
            throw;
        }

        return frontend;
    }

    /// <summary>Every request the stand-in received, in order (its own <c>/__requests</c> not counted).</summary>
    public async Task<IReadOnlyList<RecordedRequest>> RequestsAsync()
    {
        using var http = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(10) };
        using var document = JsonDocument.Parse(await http.GetStringAsync("__requests"));
        return document.RootElement.EnumerateArray()
            .Select(request => new RecordedRequest(
                request.GetProperty("method").GetString()!,
                request.GetProperty("target").GetString()!,
                request.GetProperty("headers").EnumerateObject().ToDictionary(h => h.Name, h => h.Value.GetString()!, StringComparer.OrdinalIgnoreCase),
                Body: ""))
            .ToList();
    }

    public async ValueTask DisposeAsync() => await _process.DisposeAsync();

    private static async Task<bool> IsReadyAsync(HttpClient http)
    {
        using var response = await http.GetAsync("__requests");
        return response.StatusCode == HttpStatusCode.OK;
    }
}

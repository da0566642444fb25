using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using StackExchange.Redis;

namespace Gateway.Tests.Deployment;

/// <summary>
/// Two gateway processes behind Debian's nginx running deploy/nginx.conf (see <see cref="LoadBalancer"/>), one Redis, a
/// stand-in Strapi: what docker-compose.yml runs, on loopback. A Strapi outage leaves both replicas ready and serving
/// what they can; a replica stopped with SIGTERM under load costs no request (readiness delay, drain, and nginx trying
/// the next replica).
/// </summary>
public sealed class LoadBalancedReplicasTests : IAsyncLifetime
{
    private const string RedirectPath = "/lb-check/old";
    private const string ListPath = "/api/v2/invoices/en-us";
    private const string FrontendPath = "/dashboard";
    private RedisServer _redis = null!;
    private StubUpstream _strapi = null!;
    private StubUpstream _frontend = null!;
    private readonly List<GatewayProcess> _gateways = [];
    private LoadBalancer _balancer = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        using (var redis = await ConnectionMultiplexer.ConnectAsync(_redis.Configuration))
        {
            await redis.GetDatabase().StringSetAsync($"gateway:redirect:{RedirectPath}", $$"""{"destination":"{{ListPath}}","permanent":false}""");
        }

        _strapi = await StubUpstream.StartAsync();
        _strapi.Handler = context => context.Request.Path == "/_health"
            ? Respond(context, 204, "")
            : Respond(context, 200, StrapiShapes.List());
        _frontend = await StubUpstream.StartAsync();
        _frontend.Respond(200, "<!doctype html><title>dashboard</title>", "text/html; charset=utf-8");
        var settings = new Dictionary<string, string?>
        {
            ["ResponseCache:Enabled"] = "true",
            ["Shutdown:ReadinessDelay"] = "00:00:02",
            ["Shutdown:DrainTimeout"] = "00:00:10",
        };
        for (var i = 0; i < 2; i++)
        {
            _gateways.Add(await GatewayProcess.StartAsync(_strapi.BaseUrl, _frontend.BaseUrl, _redis.Configuration, settings));
        }

        _balancer = await LoadBalancer.StartAsync([.. _gateways.Select(g => g.Address)]);
    }

    public async Task DisposeAsync()
    {
        if (_balancer is not null)
        {
            await _balancer.DisposeAsync();
        }

        foreach (var gateway in _gateways)
        {
            await gateway.DisposeAsync();
        }

        await _frontend.DisposeAsync();
        await _strapi.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task StrapiStopped_BothReplicasStayReady_AndServeRedirectsCachedReadsAndTheFrontend()
    {
        using var client = _balancer.CreateClient();
        using (var first = await client.GetAsync(ListPath))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        await _strapi.DisposeAsync();

        foreach (var gateway in _gateways)
        {
            using var management = new HttpClient { BaseAddress = gateway.Management };
            using var ready = await management.GetAsync("/readyz");
            var text = await ready.Content.ReadAsStringAsync();
            Assert.True(HttpStatusCode.OK == ready.StatusCode, $"{gateway}: /readyz {ready.StatusCode} {text}");
            using var report = JsonDocument.Parse(text);
            Assert.Equal("Degraded", report.RootElement.GetProperty("status").GetString());
            Assert.NotEqual("Healthy", report.RootElement.GetProperty("checks").GetProperty("strapi").GetProperty("status").GetString());

            // Each replica on its own port, and then through nginx, which spreads the requests over both.
            using var own = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = gateway.Address };
            await AssertServesWhatItCanAsync(own);
        }

        for (var i = 0; i < 4; i++)
        {
            await AssertServesWhatItCanAsync(client);
        }
    }

    [Fact]
    public async Task SigtermOnOneReplicaUnderLoad_NoRequestFails()
    {
        using var client = _balancer.CreateClient();
        client.Timeout = TimeSpan.FromSeconds(30);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var paths = new[] { RedirectPath, ListPath, FrontendPath };
        var sent = 0;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();

        // A bounded load: 6 loops of reads through nginx, at most 20,000 requests and 90 s, until the stop below.
        async Task LoopAsync(int worker)
        {
            for (var i = worker; !stop.IsCancellationRequested && Interlocked.Increment(ref sent) <= 20_000; i++)
            {
                try
                {
                    using var response = await client.GetAsync(paths[i % paths.Length], CancellationToken.None);
                    await response.Content.ReadAsByteArrayAsync(CancellationToken.None);
                    if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.TemporaryRedirect))
                    {
                        failures.Enqueue($"{paths[i % paths.Length]}: {(int)response.StatusCode}");
                    }
                }
                catch (HttpRequestException error)
                {
                    failures.Enqueue($"{paths[i % paths.Length]}: {error.Message}");
                }
            }
        }

        var load = Enumerable.Range(0, 6).Select(LoopAsync).ToArray();
        await Task.Delay(TimeSpan.FromSeconds(1));
        var stopped = _gateways[0];
        var clock = Stopwatch.StartNew();
        await stopped.TerminateAsync();
        var exitCode = await stopped.WaitForExitAsync(TimeSpan.FromSeconds(60));
        var stoppedAfter = clock.Elapsed;

        // The survivor carries the load for a while after the stop, then the load ends.
        await Task.Delay(TimeSpan.FromSeconds(2));
        await stop.CancelAsync();
        await Task.WhenAll(load);

        Assert.True(failures.IsEmpty, $"{failures.Count} of {sent} requests failed: {string.Join("; ", failures.Take(10))}");
        Assert.True(sent > 100, $"only {sent} requests were sent");
        Assert.True(exitCode == 0, $"the stopped gateway exited with {exitCode}:\n{stopped.Output}");
        // It kept taking connections for the readiness delay (2 s) before it stopped: a graceful stop, not a kill.
        Assert.True(stoppedAfter >= TimeSpan.FromSeconds(2), $"stopped after {stoppedAfter}");
    }

    private static async Task AssertServesWhatItCanAsync(HttpClient client)
    {
        using var redirect = await client.GetAsync(RedirectPath);
        Assert.Equal(HttpStatusCode.TemporaryRedirect, redirect.StatusCode);
        Assert.Equal(ListPath, redirect.Headers.Location?.OriginalString);

        using var list = await client.GetAsync(ListPath);
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal(StrapiShapes.List(), await list.Content.ReadAsStringAsync());
        Assert.Contains("hit", string.Join(",", list.Headers.GetValues("Cache-Status")), StringComparison.Ordinal);

        using var page = await client.GetAsync(FrontendPath);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    private static async Task Respond(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        if (body.Length > 0)
        {
            context.Response.ContentType = "application/json; charset=utf-8";
            await context.Response.WriteAsync(body);
        }
    }
}

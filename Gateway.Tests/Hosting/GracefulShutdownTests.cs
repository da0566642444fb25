using System.Net;
using System.Net.Sockets;
using Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Gateway.Tests.Hosting;

/// <summary>
/// A stop (SIGTERM, Ctrl-C, the container's stop) lets the requests in flight finish within Shutdown:DrainTimeout,
/// while Kestrel takes no new connection; past the drain time they are cut.
/// </summary>
public sealed class GracefulShutdownTests : IAsyncLifetime
{
    private RedisServer _redis = null!;
    private StubUpstream _strapi = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _strapi = await StubUpstream.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _strapi.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task Stop_ReadinessGoes503First_ConnectionsStillTakenForTheDelay_ThenRefused()
    {
        _strapi.Respond(200, StrapiShapes.List());
        var gateway = new GatewayHost(_strapi.BaseUrl, _strapi.BaseUrl, _redis.Configuration, new Dictionary<string, string?>
        {
            ["Shutdown:ReadinessDelay"] = "00:00:03",
            ["Shutdown:DrainTimeout"] = "00:00:05",
        });
        using var client = gateway.CreateGatewayClient();
        var port = gateway.Address.Port;
        for (var i = 0; i < 100 && (await client.GetAsync("/readyz")).StatusCode != HttpStatusCode.OK; i++)
        {
            await Task.Delay(100);
        }

        var stopping = gateway.DisposeAsync().AsTask();
        await Task.Delay(300);

        // On new connections (as a balancer's probe and new clients come): readiness says no, requests are still served.
        using (var fresh = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { BaseAddress = client.BaseAddress })
        {
            using var ready = await fresh.GetAsync("/readyz");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("shutting down", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            using var served = await fresh.GetAsync("/api/v2/invoices/en-us");
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        }

        Assert.False(stopping.IsCompleted);
        await WaitUntilRefusedAsync(port);
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task StopWhileRequestInFlight_RequestCompletes_NewConnectionsRefused()
    {
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _strapi.Handler = async context =>
        {
            arrived.TrySetResult();
            await release.Task.WaitAsync(context.RequestAborted);
            context.Response.ContentType = "application/json; charset=utf-8";
            await context.Response.WriteAsync(StrapiShapes.List(), context.RequestAborted);
        };
        var gateway = new GatewayHost(_strapi.BaseUrl, _strapi.BaseUrl, _redis.Configuration, new Dictionary<string, string?>
        {
            ["Shutdown:DrainTimeout"] = "00:00:30",
        });
        using var client = gateway.CreateGatewayClient();
        var port = gateway.Address.Port;

        var inFlight = client.GetAsync("/api/v2/invoices/en-us");
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var stopping = gateway.DisposeAsync().AsTask();

        // Kestrel stops accepting before the in-flight request is let go.
        await WaitUntilRefusedAsync(port);
        release.SetResult();

        using var response = await inFlight.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(StrapiShapes.List(), await response.Content.ReadAsStringAsync());
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task RequestLongerThanDrainTimeout_CutAtTheDrainTimeout()
    {
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _strapi.Handler = async context =>
        {
            arrived.TrySetResult();
            // Longer than the configured drain time (1 s), far shorter than the host's default (30 s).
            await Task.Delay(TimeSpan.FromSeconds(6), context.RequestAborted);
            await context.Response.WriteAsync(StrapiShapes.List(), context.RequestAborted);
        };
        var gateway = new GatewayHost(_strapi.BaseUrl, _strapi.BaseUrl, _redis.Configuration, new Dictionary<string, string?>
        {
            ["Shutdown:DrainTimeout"] = "00:00:01",
        });
        using var client = gateway.CreateGatewayClient();

        var inFlight = client.GetAsync("/api/v2/invoices/en-us");
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await gateway.DisposeAsync();

        // Stopped after the drain time, before Strapi answered: the request did not get Strapi's answer.
        var outcome = await Record.ExceptionAsync(async () =>
        {
            using var response = await inFlight.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        });
        Assert.True(outcome is null or HttpRequestException or IOException, outcome?.ToString());
    }

    private static async Task WaitUntilRefusedAsync(int port)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
            }
            catch (SocketException)
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"the gateway still accepted connections on port {port}");
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Gateway.Tests.Infrastructure;
using OpenTelemetry.Trace;

namespace Gateway.Tests.Telemetry;

/// <summary>
/// At the edge the caller's <c>traceparent</c> names the trace but does not decide whether it is kept; and with no trace
/// exporter configured no spans are built at all, while Strapi still gets one <c>traceparent</c> from the gateway.
/// </summary>
public sealed class EdgeSamplingTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    [Fact]
    public async Task ForgedSampledFlag_NotFollowed_TheGatewayDrawsItself()
    {
        var exported = new ConcurrentQueue<Activity>();
        await using var strapi = await StartStrapiAsync();
        await using var gateway = Gateway(strapi, exported, new() { ["Telemetry:TraceSampleRatio"] = "0" });
        using var client = Client(gateway);

        var traceIds = new List<ActivityTraceId>();
        for (var i = 0; i < 10; i++)
        {
            var traceId = ActivityTraceId.CreateRandom();
            traceIds.Add(traceId);
            using var response = await SendSampledAsync(client, traceId);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // Each Strapi call continues the caller's trace, marked not sampled; nothing was recorded.
        Assert.Equal(traceIds.Count, strapi.Requests.Count);
        Assert.All(strapi.Requests.Zip(traceIds), pair =>
        {
            var parts = pair.First.Header("traceparent")!.Split('-');
            Assert.Equal(pair.Second.ToHexString(), parts[1]);
            Assert.Equal("00", parts[3]);
        });
        await Task.Delay(200);
        Assert.DoesNotContain(exported, a => traceIds.Contains(a.TraceId));
    }

    [Fact]
    public async Task TrustCallerSampling_CallersSampledFlagFollowed()
    {
        var exported = new ConcurrentQueue<Activity>();
        await using var strapi = await StartStrapiAsync();
        await using var gateway = Gateway(strapi, exported, new()
        {
            ["Telemetry:TraceSampleRatio"] = "0",
            ["Telemetry:TrustCallerSampling"] = "true",
        });
        using var client = Client(gateway);
        var traceId = ActivityTraceId.CreateRandom();

        using var response = await SendSampledAsync(client, traceId);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.EndsWith("-01", strapi.OnlyRequest().Header("traceparent"), StringComparison.Ordinal);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!exported.Any(a => a.TraceId == traceId && a.Kind == ActivityKind.Server) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Contains(exported, a => a.TraceId == traceId && a.Kind == ActivityKind.Server);
    }

    [Fact]
    public async Task NoExporter_NoTracerProvider_StrapiStillGetsTheGatewaysTraceparent()
    {
        await using var strapi = await StartStrapiAsync();
        await using var gateway = new GatewayHost(strapi.BaseUrl, strapi.BaseUrl, redis.Server.Configuration);
        using var client = Client(gateway);
        var traceId = ActivityTraceId.CreateRandom();
        var callerSpan = ActivitySpanId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v2/invoices/en-us");
        request.Headers.Add("traceparent", $"00-{traceId}-{callerSpan}-01");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(gateway.Services.GetService(typeof(TracerProvider)));
        var parts = strapi.OnlyRequest().Header("traceparent")!.Split('-');
        Assert.Equal(4, parts.Length);
        Assert.Equal(traceId.ToHexString(), parts[1]);
        Assert.NotEqual(callerSpan.ToHexString(), parts[2]); // the gateway's own span, not the caller's passed through
    }

    private static async Task<StubUpstream> StartStrapiAsync()
    {
        var strapi = await StubUpstream.StartAsync();
        strapi.Respond(200, StrapiShapes.List());
        return strapi;
    }

    private GatewayHost Gateway(StubUpstream strapi, ConcurrentQueue<Activity> exported, Dictionary<string, string?> settings)
    {
        var gateway = new GatewayHost(strapi.BaseUrl, strapi.BaseUrl, redis.Server.Configuration, settings)
        {
            // Traces on without an OTLP collector (read while the app is built); the spans land in memory.
            EarlySettings = { ["Telemetry:Traces"] = "true" },
            ExtraServices = services => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(new ActivityCollection(exported))),
        };
        return gateway;
    }

    private static HttpClient Client(GatewayHost gateway)
    {
        gateway.CreateGatewayClient().Dispose();

        // The test's traceparent as it is: the test process's own HttpClient would otherwise put in its own.
        return new HttpClient(new SocketsHttpHandler { ActivityHeadersPropagator = null }) { BaseAddress = gateway.Address };
    }

    private static async Task<HttpResponseMessage> SendSampledAsync(HttpClient client, ActivityTraceId traceId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v2/invoices/en-us");
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        return await client.SendAsync(request);
    }
}

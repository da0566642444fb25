using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Gateway.Tests.Infrastructure;
using OpenTelemetry.Trace;

namespace Gateway.Tests.Telemetry;

/// <summary>A client's request is one trace across the gateway and Strapi: the W3C <c>traceparent</c> is passed on once.</summary>
public sealed class TracingTests(RedisFixture redis) : IClassFixture<RedisFixture>, IAsyncLifetime
{
    private readonly ConcurrentQueue<Activity> _exported = new();
    private StubUpstream _strapi = null!;
    private GatewayHost _gateway = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _strapi = await StubUpstream.StartAsync();
        _strapi.Respond(200, StrapiShapes.List());
        // Every trace kept, and traces on without an OTLP collector (the test's exporter is in memory; read while building).
        _gateway = new GatewayHost(_strapi.BaseUrl, _strapi.BaseUrl, redis.Server.Configuration, new Dictionary<string, string?>
        {
            ["Telemetry:TraceSampleRatio"] = "1",
        })
        {
            EarlySettings = { ["Telemetry:Traces"] = "true" },
            // The test host's spans land in memory instead of an OTLP collector.
            ExtraServices = services => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(new ActivityCollection(_exported))),
        };
        _gateway.CreateGatewayClient().Dispose();
        // Sends the test's traceparent as it is: the test process's own HttpClient would otherwise put in its own.
        _client = new HttpClient(new SocketsHttpHandler { ActivityHeadersPropagator = null }) { BaseAddress = _gateway.Address };
    }

    public async Task DisposeAsync()
    {
        using (_client)
        {
            await using (_strapi)
            {
                await _gateway.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task ClientTraceparent_StrapiCallIsChildSpan_WithTheTraceparentStrapiReceived()
    {
        var traceId = ActivityTraceId.CreateRandom();
        var callerSpan = ActivitySpanId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v2/invoices/en-us");
        request.Headers.Add("traceparent", $"00-{traceId}-{callerSpan}-01");

        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = _strapi.OnlyRequest().Header("traceparent");
        Assert.NotNull(received);
        var parts = received.Split('-');
        Assert.Equal(4, parts.Length); // one traceparent, not the client's and the gateway's joined
        Assert.Equal(traceId.ToHexString(), parts[1]);
        Assert.NotEqual(callerSpan.ToHexString(), parts[2]);

        // (The stand-in's own server span is in this process's export too, under the outbound span: skip it.)
        var server = await ExportedAsync(a => a.TraceId == traceId && a.Kind == ActivityKind.Server && a.ParentSpanId == callerSpan);
        var outbound = await ExportedAsync(a => a.TraceId == traceId && a.Kind == ActivityKind.Client);
        Assert.Equal(server.SpanId, outbound.ParentSpanId);
        Assert.Equal(parts[2], outbound.SpanId.ToHexString());
        Assert.Equal(_strapi.BaseUrl.Port, outbound.GetTagItem("server.port"));
        Assert.Equal("GET /api/v2/invoices/en-us", server.DisplayName);
        Assert.Equal(200, server.GetTagItem("http.response.status_code"));
    }

    [Fact]
    public async Task NoTraceparent_SampledByRatio_StrapiStillGetsOneTraceparent()
    {
        using var response = await _client.GetAsync("/api/v2/customers/en-us");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = _strapi.OnlyRequest().Header("traceparent");
        Assert.NotNull(received);
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$", received);
    }

    [Fact]
    public async Task HealthProbe_NotTraced_EvenWhenTheCallerSamples()
    {
        var probe = ActivityTraceId.CreateRandom();
        var request = ActivityTraceId.CreateRandom();

        using (var live = await SendAsync("/healthz", probe))
        {
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }

        using (var page = await SendAsync("/api/v2/invoices/en-us", request))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        }

        await ExportedAsync(a => a.TraceId == request && a.Kind == ActivityKind.Server && a.DisplayName.StartsWith("GET /api", StringComparison.Ordinal));
        await Task.Delay(200);
        Assert.DoesNotContain(_exported, a => a.TraceId == probe);
    }

    private async Task<HttpResponseMessage> SendAsync(string path, ActivityTraceId traceId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        return await _client.SendAsync(request);
    }

    private async Task<Activity> ExportedAsync(Func<Activity, bool> match)
    {
        // A server span is exported when it ends, which can be just after the client has its answer.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var found = _exported.FirstOrDefault(match);
            if (found is not null || DateTime.UtcNow > deadline)
            {
                Assert.NotNull(found);
                return found;
            }

            await Task.Delay(20);
        }
    }
}

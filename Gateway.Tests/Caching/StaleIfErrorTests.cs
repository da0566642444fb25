using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using Gateway.Caching;
using Gateway.Caching.Stale;
using Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Gateway.Tests.Caching;

/// <summary>
/// Stale-if-error (issue 25): a cached read whose entry ran out or was evicted (a write, Strapi's webhook) gets its last
/// good answer, marked, when the stand-in Strapi answers 500, hangs, or is stopped (connection refused); never past
/// <c>ResponseCache:StaleIfError</c>, never for a write, never from a private answer. Real Redis, one per test.
/// </summary>
public sealed class StaleIfErrorTests : IAsyncLifetime
{
    private const string List = "/api/v2/invoices/en-us?sort=id:asc";
    private const string Document = "/api/v2/invoices/en-us/s2r77wbev8x1yjgxloln2517";
    private const string WebhookSecret = "stale-if-error-test-secret";
    private const string Problem500 = """{"data":null,"error":{"status":500,"name":"InternalServerError","message":"Internal Server Error","details":{}}}""";

    /// <summary>The <c>strapi</c> cluster's activity timeout in yarp.json: what a hanging Strapi cost before.</summary>
    private static readonly TimeSpan ActivityTimeout = TimeSpan.FromSeconds(30);

    private RedisServer _redis = null!;
    private StubUpstream _strapi = null!;
    private bool _strapiStopped;
    private readonly List<MeterListener> _listeners = [];

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _strapi = await StubUpstream.StartAsync();
        _strapi.Respond(200, StrapiShapes.List());
    }

    public async Task DisposeAsync()
    {
        _listeners.ForEach(listener => listener.Dispose());
        await StopStrapiAsync();
        await _redis.DisposeAsync();
    }

    [Theory]
    [InlineData("500", "expired")]
    [InlineData("500", "write")]
    [InlineData("500", "webhook")]
    [InlineData("hang", "expired")]
    [InlineData("hang", "write")]
    [InlineData("hang", "webhook")]
    [InlineData("refused", "expired")]
    [InlineData("refused", "write")]
    [InlineData("refused", "webhook")]
    public async Task StrapiFails_LastGoodAnswerServedMarkedStale(string fault, string gone)
    {
        await using var gateway = Gateway(lifetime: gone == "expired" ? "00:00:01" : "00:05:00");
        using var client = Client(gateway);
        var stale = Listen(gateway, "gateway.cache.stale");
        using var good = await ReadKeptAsync(client, List);
        Assert.Equal(CacheStatus.Miss, StatusOf(good));
        var etag = good.Headers.ETag?.Tag;
        Assert.NotNull(etag);

        await GoAsync(client, gone);
        await FailAsync(fault);
        var clock = Stopwatch.StartNew();
        using var first = await client.GetAsync(List);
        var waited = clock.Elapsed;
        using var second = await client.GetAsync(List); // still stale: the stale answer was not stored as a fresh one

        foreach (var answer in new[] { first, second })
        {
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            Assert.Equal(StrapiShapes.List(), await answer.Content.ReadAsStringAsync());
            Assert.Equal(etag, answer.Headers.ETag?.Tag);
            Assert.Equal("application/json", answer.Content.Headers.ContentType?.MediaType);
            Assert.StartsWith(CacheStatus.Stale + "; fwd-status=5", StatusOf(answer), StringComparison.Ordinal);
            Assert.EndsWith("; detail=stale", StatusOf(answer), StringComparison.Ordinal);
        }

        if (fault == "500")
        {
            Assert.Equal("edge-gateway; fwd=stale; fwd-status=500; detail=stale", StatusOf(first));
        }

        if (fault == "hang")
        {
            // ResponseCache:StaleWait is 1 s here: the copy comes after about that, not after the 30 s activity timeout.
            Assert.True(waited < ActivityTimeout / 2, $"a hanging Strapi held the read {waited}");
        }

        Assert.Equal(2, stale.Count(m => (string?)m.Policy == "invoices"));
    }

    [Fact]
    public async Task PastStaleIfError_TheError()
    {
        await using var gateway = Gateway(lifetime: "00:00:01", staleIfError: "00:00:02");
        using var client = Client(gateway);
        using (var good = await ReadKeptAsync(client, List))
        {
            Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        }

        await Task.Delay(TimeSpan.FromMilliseconds(1500));
        _strapi.Respond(500, Problem500);
        using (var within = await client.GetAsync(List))
        {
            Assert.Equal(HttpStatusCode.OK, within.StatusCode);
            Assert.StartsWith(CacheStatus.Stale, StatusOf(within), StringComparison.Ordinal);
        }

        // Kept for Lifetime + StaleIfError (3 s) from the good answer; then gone from Redis.
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        using var past = await client.GetAsync(List);

        Assert.Equal(HttpStatusCode.InternalServerError, past.StatusCode);
        Assert.Equal(CacheStatus.Miss, StatusOf(past));
        Assert.Equal(Problem500, await past.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Write_StrapiFails_TheErrorNeverAStaleCopy()
    {
        await using var gateway = Gateway(lifetime: "00:05:00");
        using var client = Client(gateway);
        using (await ReadKeptAsync(client, Document))
        {
        }

        await GoAsync(client, "webhook");
        _strapi.Respond(500, Problem500);
        using var put = await client.PutAsync(Document, new StringContent("""{"amount":1}""", null, "application/json"));
        using var read = await client.GetAsync(Document);

        Assert.Equal(HttpStatusCode.InternalServerError, put.StatusCode);
        Assert.False(put.Headers.Contains(CacheStatus.HeaderName));
        Assert.Equal(Problem500, await put.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, read.StatusCode); // the same document's read does get its stale copy
        Assert.StartsWith(CacheStatus.Stale, StatusOf(read), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PrivateAnswerFromStrapi_NoStaleCopyKept()
    {
        const string Shared = List + "&pagination[pageSize]=5";
        await using var gateway = Gateway(lifetime: "00:00:01");
        using var client = Client(gateway);
        _strapi.Handler = async context =>
        {
            if (context.Request.QueryString.Value?.Contains("pageSize", StringComparison.Ordinal) != true)
            {
                context.Response.Headers.CacheControl = "private";
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(StrapiShapes.List());
        };
        using (await client.GetAsync(List))
        using (await ReadKeptAsync(client, Shared))
        {
        }

        await Task.Delay(TimeSpan.FromMilliseconds(1500));
        _strapi.Respond(500, Problem500);
        using var failed = await client.GetAsync(List);
        using var shared = await client.GetAsync(Shared);

        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Equal(CacheStatus.Miss, StatusOf(failed));
        Assert.Equal(HttpStatusCode.OK, shared.StatusCode); // the shareable answer beside it was kept
        Assert.StartsWith(CacheStatus.Stale, StatusOf(shared), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StaleCopy_IfNoneMatchItsETag_304WithoutBody()
    {
        await using var gateway = Gateway(lifetime: "00:05:00");
        using var client = Client(gateway);
        using var good = await ReadKeptAsync(client, List);
        await GoAsync(client, "webhook");
        await FailAsync("refused");

        using var request = new HttpRequestMessage(HttpMethod.Get, List);
        request.Headers.IfNoneMatch.Add(good.Headers.ETag!);
        using var revalidated = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotModified, revalidated.StatusCode);
        Assert.Empty(await revalidated.Content.ReadAsByteArrayAsync());
        Assert.Equal(good.Headers.ETag, revalidated.Headers.ETag);
        Assert.StartsWith(CacheStatus.Stale, StatusOf(revalidated), StringComparison.Ordinal);
    }

    /// <summary>
    /// The wait for Strapi is the client's too: a client that leaves while the read waits cancels the forward at once. A
    /// guard for the token the wait puts in place (it passed before stale-if-error too, when nothing replaced the token).
    /// </summary>
    [Fact]
    public async Task ClientLeavesWhileWaiting_ForwardCancelledAtOnce()
    {
        await using var gateway = Gateway(lifetime: "00:05:00", staleWait: "00:00:25");
        using var client = Client(gateway);
        using (await ReadKeptAsync(client, List))
        {
        }

        await GoAsync(client, "write");
        var forwardCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _strapi.Handler = async context =>
        {
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                forwardCancelled.TrySetResult();
            }
        };

        using var leave = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetAsync(List, leave.Token));

        // Well before the 25 s wait would have given up on Strapi by itself.
        await forwardCancelled.Task.WaitAsync(TimeSpan.FromSeconds(12));
    }

    private GatewayHost Gateway(string lifetime, string staleIfError = "1.00:00:00", string staleWait = "00:00:01")
        => new(_strapi.BaseUrl, _strapi.BaseUrl, _redis.Configuration, new Dictionary<string, string?>
        {
            ["ResponseCache:Enabled"] = "true",
            ["ResponseCache:Lifetime"] = lifetime,
            ["ResponseCache:MemoryLifetime"] = "00:00:00",
            ["ResponseCache:StaleIfError"] = staleIfError,
            ["ResponseCache:StaleWait"] = staleWait,
            ["ResponseCache:WebhookSecret"] = WebhookSecret,
            // Not what these tests are about: under a loaded test run a store or an EXISTS slower than the 500 ms default
            // would leave no copy (by design), and the read would wait for Strapi instead.
            ["ResponseCache:RedisTimeout"] = "00:00:05",
        });

    /// <summary>
    /// A good read, and its stale copy in Redis before the test goes on: the copy is kept in the background once the store
    /// took the answer, so it is awaited, not assumed (a store Redis dropped is read again; nothing else changes).
    /// </summary>
    private async Task<HttpResponseMessage> ReadKeptAsync(HttpClient client, string path)
    {
        var good = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(_redis.Configuration + ",allowAdmin=true");
        var deadline = Stopwatch.StartNew();
        while (!redis.GetServers()[0].Keys(1, StaleCopies.KeyPrefix + "*").Any(key => key.ToString().EndsWith(path, StringComparison.Ordinal)))
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(20), $"no stale copy of {path} kept");
            await Task.Delay(50);
            if (deadline.Elapsed > TimeSpan.FromSeconds(2))
            {
                using (await client.GetAsync(path))
                {
                }
            }
        }

        return good;
    }

    private static HttpClient Client(GatewayHost gateway)
    {
        var client = gateway.CreateGatewayClient();
        client.Timeout = TimeSpan.FromSeconds(25); // under the activity timeout: a read held that long fails the test
        return client;
    }

    /// <summary>The list's cache entry goes: its lifetime (1 s) runs out, a write through the gateway, or Strapi's webhook.</summary>
    private static async Task GoAsync(HttpClient client, string how)
    {
        switch (how)
        {
            case "expired":
                await Task.Delay(TimeSpan.FromMilliseconds(1500));
                break;
            case "write":
                using (var put = await client.PutAsync(Document, new StringContent("""{"amount":1}""", null, "application/json")))
                {
                    Assert.Equal(HttpStatusCode.OK, put.StatusCode);
                }

                break;
            case "webhook":
                using (var hook = new HttpRequestMessage(HttpMethod.Post, StrapiWebhookEndpoint.Path))
                {
                    hook.Content = new StringContent("""{"event":"entry.update","model":"invoice","uid":"api::invoice.invoice","entry":{}}""", null, "application/json");
                    hook.Headers.Add(StrapiWebhookEndpoint.SecretHeader, WebhookSecret);
                    using var accepted = await client.SendAsync(hook);
                    Assert.Equal(HttpStatusCode.NoContent, accepted.StatusCode);
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(how), how, null);
        }
    }

    private async Task FailAsync(string fault)
    {
        switch (fault)
        {
            case "500":
                _strapi.Respond(500, Problem500);
                break;
            case "hang":
                _strapi.Hang();
                break;
            case "refused":
                await StopStrapiAsync();
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(fault), fault, null);
        }
    }

    private async Task StopStrapiAsync()
    {
        if (!_strapiStopped)
        {
            _strapiStopped = true;
            await _strapi.DisposeAsync();
        }
    }

    /// <summary>The measurements of one instrument of this gateway's "Gateway" meter, with their <c>policy</c> tag.</summary>
    private ConcurrentQueue<(long Value, object? Policy)> Listen(GatewayHost gateway, string instrumentName)
    {
        var factory = gateway.Services.GetRequiredService<IMeterFactory>();
        var seen = new ConcurrentQueue<(long, object?)>();
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "Gateway" && instrument.Name == instrumentName && ReferenceEquals(instrument.Meter.Scope, factory))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            object? policy = null;
            foreach (var tag in tags)
            {
                policy = tag.Key == "policy" ? tag.Value : policy;
            }

            seen.Enqueue((value, policy));
        });
        listener.Start();
        _listeners.Add(listener);
        return seen;
    }

    private static string? StatusOf(HttpResponseMessage response)
        => response.Headers.TryGetValues(CacheStatus.HeaderName, out var values) ? string.Join(", ", values) : null;
}

using System.Diagnostics;
using System.Net;
using Gateway.Caching;
using Gateway.Caching.Stale;
using Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using StackExchange.Redis;

namespace Gateway.Tests.Caching;

/// <summary>
/// The response cache's store against a real Redis, with a stand-in Strapi that counts reads: cache keys apart from the
/// state and all expiring, bounds on what is stored, one Strapi read per miss across replicas, and an eviction made while
/// Redis hangs delivered as soon as Redis answers.
/// </summary>
public sealed class ResponseCacheStoreTests : IAsyncLifetime
{
    private const string List = "/api/v2/invoices/en-us?sort=id:asc";
    private const string Document = "/api/v2/invoices/en-us/s2r77wbev8x1yjgxloln2517";
    private RedisServer _redis = null!;
    private StubUpstream _strapi = null!;
    private readonly List<GatewayHost> _gateways = [];

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _strapi = await StubUpstream.StartAsync();
        _strapi.Respond(200, StrapiShapes.List());
    }

    public async Task DisposeAsync()
    {
        foreach (var gateway in _gateways)
        {
            await gateway.DisposeAsync();
        }

        await _strapi.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task EveryCacheKey_HasATtl_AndNoneIsInTheStateDatabase()
    {
        var (_, client) = StartGateway();
        foreach (var path in new[] { List, List + "&pagination[page]=2", "/api/v2/customers/en-us?sort=name:asc", Document })
        {
            using var response = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await Task.Delay(200); // the tag sets' TTLs are set fire-and-forget
        await using var admin = await AdminAsync();
        var cacheKeys = admin.GetServers()[0].Keys(1).ToList();
        Assert.Contains(cacheKeys, key => key.ToString().StartsWith("__MSOCV_", StringComparison.Ordinal));
        Assert.Contains(cacheKeys, key => key.ToString() == "__MSOCT_invoices");
        Assert.Contains(cacheKeys, key => key.ToString() == "__MSOCT");
        Assert.Contains(cacheKeys, key => key.ToString().StartsWith(StaleCopies.KeyPrefix, StringComparison.Ordinal)); // stale copies too
        Assert.DoesNotContain(cacheKeys, key => key.ToString().StartsWith("gateway:cache:lease:", StringComparison.Ordinal)); // released once stored
        foreach (var key in cacheKeys)
        {
            var ttl = await admin.GetDatabase(1).KeyTimeToLiveAsync(key);
            Assert.True(ttl is { } t && t > TimeSpan.Zero, $"{key} has no TTL");
        }

        Assert.DoesNotContain(admin.GetServers()[0].Keys(0), key => key.ToString().StartsWith("__MSOC", StringComparison.Ordinal)
            || key.ToString().StartsWith("gateway:cache:", StringComparison.Ordinal)
            || key.ToString().StartsWith(StaleCopies.KeyPrefix, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ClientOverItsDistinctUrlBound_GetsAnswers_ButNoMoreAreStored()
    {
        var (gateway, client) = StartGateway(new() { ["ResponseCache:MaxQueriesPerClient"] = "5" });
        var paths = Enumerable.Range(1, 8).Select(i => $"{List}&pagination[page]={i}").ToList();
        foreach (var path in paths)
        {
            using var response = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(StrapiShapes.List(), await response.Content.ReadAsStringAsync());
        }

        var statuses = new List<string?>();
        foreach (var path in paths)
        {
            using var again = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
            statuses.Add(StatusOf(again));
        }

        Assert.Equal(Enumerable.Repeat(CacheStatus.Hit, 5).Concat(Enumerable.Repeat(CacheStatus.Miss, 3)), statuses);
        Assert.Equal(11, _strapi.Requests.Count);
        Assert.Single(gateway.Logs.Lines, line => line.Contains("[11040]", StringComparison.Ordinal) && line.Contains("127.0.0.1", StringComparison.Ordinal));

        // The stale copies are bounded likewise: one per answer kept, none for those the bound refused.
        await using var admin = await AdminAsync();
        var copies = admin.GetServers()[0].Keys(1, StaleCopies.KeyPrefix + "*").ToList();
        for (var waited = 0; copies.Count < 5 && waited < 100; waited++)
        {
            await Task.Delay(50); // kept in the background
            copies = admin.GetServers()[0].Keys(1, StaleCopies.KeyPrefix + "*").ToList();
        }

        await Task.Delay(200); // and none more comes after the five
        Assert.Equal(5, admin.GetServers()[0].Keys(1, StaleCopies.KeyPrefix + "*").Count());
    }

    [Fact]
    public async Task CollectionAtItsEntryBound_StoresNoMore()
    {
        var (gateway, client) = StartGateway(new() { ["ResponseCache:MaxEntriesPerCollection"] = "4", ["ResponseCache:MaxQueriesPerClient"] = "0" });
        var paths = Enumerable.Range(1, 6).Select(i => $"{List}&pagination[page]={i}").ToList();
        foreach (var path in paths.Append("/api/v2/customers/en-us?sort=name:asc"))
        {
            using var response = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var statuses = new List<string?>();
        foreach (var path in paths)
        {
            using var again = await client.GetAsync(path);
            statuses.Add(StatusOf(again));
        }

        using var customers = await client.GetAsync("/api/v2/customers/en-us?sort=name:asc");
        Assert.Equal(Enumerable.Repeat(CacheStatus.Hit, 4).Concat(Enumerable.Repeat(CacheStatus.Miss, 2)), statuses);
        Assert.Equal(CacheStatus.Hit, StatusOf(customers)); // another collection is not held back
        Assert.Single(gateway.Logs.Lines, line => line.Contains("[11041]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TwentyConcurrentMisses_OverThreeReplicas_OneStrapiRead()
    {
        var clients = Enumerable.Range(0, 3).Select(_ => StartGateway().Client).ToList();
        foreach (var client in clients)
        {
            using var warm = await client.GetAsync(List + "&pagination[page]=99"); // started and compiled, before the race
        }

        const string Target = List + "&pagination[page]=7";
        _strapi.Handler = async context =>
        {
            await Task.Delay(500, context.RequestAborted);
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(StrapiShapes.List(), context.RequestAborted);
        };

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => clients[i % 3].GetAsync(Target)));

        Assert.All(responses, response => Assert.Equal(HttpStatusCode.OK, response.StatusCode));
        foreach (var response in responses)
        {
            Assert.Equal(StrapiShapes.List(), await response.Content.ReadAsStringAsync());
            response.Dispose();
        }

        Assert.Single(_strapi.Requests, request => request.Target.Contains("pagination%5Bpage%5D=7", StringComparison.Ordinal)
            || request.Target.Contains("pagination[page]=7", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LeaseHolderStuck_AnotherReplicaReadsStrapiAfterTheWait()
    {
        var settings = new Dictionary<string, string?> { ["ResponseCache:LeaseWait"] = "00:00:00.500", ["ResponseCache:LeaseTime"] = "00:00:30" };
        var (_, holder) = StartGateway(settings);
        var (other, client) = StartGateway(settings);
        using (await holder.GetAsync(List + "&pagination[page]=99"))
        using (await client.GetAsync(List + "&pagination[page]=99"))
        {
        }

        var first = 0;
        _strapi.Handler = async context =>
        {
            if (Interlocked.Increment(ref first) == 1)
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted); // the holder never gets its answer
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(StrapiShapes.List());
        };

        using var stuck = new CancellationTokenSource();
        var held = holder.GetAsync(List, stuck.Token);
        await EventuallyAsync(() => Volatile.Read(ref first) == 1);
        using var response = await client.GetAsync(List); // waits up to LeaseWait, not the 30 s lease

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(StrapiShapes.List(), await response.Content.ReadAsStringAsync());
        Assert.Contains(other.Logs.Lines, line => line.Contains("[11050]", StringComparison.Ordinal));
        await stuck.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => held);
    }

    [Fact]
    public async Task LeaseHolderAnswered500_OthersGoOnWithoutWaitingOutTheBound()
    {
        var settings = new Dictionary<string, string?> { ["ResponseCache:LeaseWait"] = "00:00:06" };
        var clients = new[] { StartGateway(settings), StartGateway(settings) };
        foreach (var (_, client) in clients)
        {
            using var warm = await client.GetAsync(List + "&pagination[page]=99");
        }

        _strapi.Handler = async context =>
        {
            await Task.Delay(200, context.RequestAborted);
            context.Response.StatusCode = 500;
        };

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => clients[i % 2].Client.GetAsync(List)));

        Assert.All(responses, response => Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode));
        // The holder's lease went with its request: the other replica took it then, rather than waiting out LeaseWait.
        Assert.All(clients, gateway => Assert.DoesNotContain(gateway.Gateway.Logs.Lines, line => line.Contains("[11050]", StringComparison.Ordinal)));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task RedisHangsDuringAWrite_TheOtherReplicaServesTheNewAnswerWithinASecondOfRedisBack()
    {
        var hanging = new Dictionary<string, string?>
        {
            ["ResponseCache:RedisTimeout"] = "00:00:00.200",
            ["ResponseCache:RetryAfter"] = "00:00:00.200",
            ["Redis:Timeout"] = "00:00:01",
        };
        var (_, writer) = StartGateway(hanging);
        var (_, reader) = StartGateway(hanging);
        _strapi.Respond(200, StrapiShapes.Single());
        using (await reader.GetAsync(Document))
        {
        }

        using (var warm = await reader.GetAsync(Document))
        {
            Assert.Equal(CacheStatus.Hit, StatusOf(warm));
        }

        using (await writer.GetAsync(List))
        {
        }

        var updated = StrapiShapes.Single().Replace("15795", "16000", StringComparison.Ordinal);
        _strapi.Respond(200, updated);
        await _redis.PauseAsync();
        try
        {
            using var put = await writer.PutAsync(Document, new StringContent("""{"amount":16000}""", null, "application/json"));
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);

            // Longer than the client's own timeout (1 s): the eviction's first attempt has failed for good.
            await Task.Delay(2500);
        }
        finally
        {
            await _redis.ResumeAsync();
        }

        var back = Stopwatch.StartNew();
        string? body = null;
        while (back.Elapsed < TimeSpan.FromSeconds(4))
        {
            using var response = await reader.GetAsync(Document);
            body = await response.Content.ReadAsStringAsync();
            if (body.Contains("16000", StringComparison.Ordinal))
            {
                break;
            }

            await Task.Delay(50);
        }

        Assert.Contains("16000", body, StringComparison.Ordinal);
        Assert.True(back.Elapsed < TimeSpan.FromSeconds(1), $"the new answer came {back.Elapsed} after Redis was back");
    }

    private (GatewayHost Gateway, HttpClient Client) StartGateway(Dictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?> { ["ResponseCache:Enabled"] = "true" };
        foreach (var (key, value) in settings ?? [])
        {
            all[key] = value;
        }

        var gateway = new GatewayHost(_strapi.BaseUrl, _strapi.BaseUrl, _redis.Configuration, all);
        _gateways.Add(gateway);
        var client = gateway.CreateGatewayClient();
        client.Timeout = TimeSpan.FromSeconds(10);
        return (gateway, client);
    }

    private Task<ConnectionMultiplexer> AdminAsync() => ConnectionMultiplexer.ConnectAsync(_redis.Configuration + ",allowAdmin=true");

    private static async Task EventuallyAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(25);
        }

        Assert.True(condition());
    }

    private static string? StatusOf(HttpResponseMessage response)
        => response.Headers.TryGetValues(CacheStatus.HeaderName, out var values) ? string.Join(", ", values) : null;
}

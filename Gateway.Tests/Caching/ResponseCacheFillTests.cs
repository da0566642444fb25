using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Gateway.Caching;
using Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Gateway.Tests.Caching;

/// <summary>
/// One reader asks for 50,000 unique URLs against a Redis with a 32 MB <c>maxmemory</c> and the documented policy
/// (<c>noeviction</c>, the cache in its own database): no state key is evicted or refused, Redis stays under its cap and
/// hits are still served. The per-client and per-collection bounds are off here, so only the memory bound holds the
/// cache back: the case of many readers.
/// </summary>
public sealed class ResponseCacheFillTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const long MaxMemory = 32 * 1024 * 1024;
    private const int Urls = 50_000;
    private RedisServer _redis = null!;
    private StubUpstream _strapi = null!;
    private GatewayHost _gateway = null!;
    private HttpClient _client = null!;
    private int _bodyBytes;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync(["--maxmemory", MaxMemory.ToString(CultureInfo.InvariantCulture), "--maxmemory-policy", "noeviction"]);
        _strapi = await StubUpstream.StartAsync();
        // About 1 KB, a small page of rows.
        var body = "{\"data\":[" + string.Join(',', Enumerable.Range(1, 3).Select(i => StrapiShapes.Item(id: i))) + "],\"meta\":{}}";
        _bodyBytes = Encoding.UTF8.GetByteCount(body);
        _strapi.Respond(200, body);
        _gateway = new GatewayHost(_strapi.BaseUrl, _strapi.BaseUrl, _redis.Configuration, new Dictionary<string, string?>
        {
            ["ResponseCache:Enabled"] = "true",
            ["ResponseCache:MaxQueriesPerClient"] = "0",
            ["ResponseCache:MaxEntriesPerCollection"] = "0",
            ["Redirects:AdminKey"] = GatewayHost.AdminKey,
        });
        _client = _gateway.CreateGatewayClient();
        _client.Timeout = TimeSpan.FromSeconds(30);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _gateway.DisposeAsync();
        await _strapi.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task FiftyThousandUniqueUrls_NoStateKeyEvicted_UnderTheCap_HitsStillServed()
    {
        await using var admin = await ConnectionMultiplexer.ConnectAsync(_redis.Configuration + ",allowAdmin=true");
        var server = admin.GetServers()[0];
        _gateway.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("fill").Protect("key ring made");
        using (var put = await PutRedirectAsync("%2Ffill-before", "/before"))
        {
            Assert.True(put.IsSuccessStatusCode, put.StatusCode.ToString());
        }

        // What must persist: the keys without a TTL (key ring, redirect entries, the table's side keys) and the marker
        // (kept alive by each sync); counters and the like expire by themselves, and evicted_keys covers them.
        var state = new List<RedisKey>();
        foreach (var key in await WaitForStateAsync(server))
        {
            if (await admin.GetDatabase(0).KeyTimeToLiveAsync(key) is null || key.ToString().Contains("sync:", StringComparison.Ordinal))
            {
                state.Add(key);
            }
        }

        Assert.Null(await admin.GetDatabase(0).KeyTimeToLiveAsync("gateway:dataprotection:keys"));
        Assert.Contains(state, key => key.ToString().Contains("fill-before", StringComparison.Ordinal)); // a redirect entry, no TTL
        Assert.Contains(state, key => key.ToString().Contains("sync:", StringComparison.Ordinal));
        var baseline = Info(await server.InfoRawAsync("memory"), "used_memory");

        var stopwatch = Stopwatch.StartNew();
        var failed = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, Urls), new ParallelOptions { MaxDegreeOfParallelism = 24 }, async (i, cancel) =>
        {
            using var response = await _client.GetAsync($"/api/v2/invoices/en-us?sort=id:asc&filters[amount][$eq]={i}", cancel);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                Interlocked.Increment(ref failed);
            }
        });
        stopwatch.Stop();

        var memory = await server.InfoRawAsync("memory");
        var stats = await server.InfoRawAsync("stats");
        var stored = await server.DatabaseSizeAsync(1);
        var used = Info(memory, "used_memory");
        output.WriteLine(FormattableString.Invariant(
            $"{Urls} URLs in {stopwatch.Elapsed.TotalSeconds:0.0} s; {stored} cache keys; used {used / 1048576.0:0.0} MB, peak {Info(memory, "used_memory_peak") / 1048576.0:0.0} MB of {MaxMemory / 1048576} MB; {(used - baseline) / (double)Math.Max(1, stored):0} bytes per entry of {_bodyBytes} body bytes (value, its tag-set member; a few keys are not entries)"));

        foreach (var line in _gateway.Logs.Lines.Where(l => l.Contains("Gateway.Caching", StringComparison.Ordinal)).Take(20))
        {
            output.WriteLine(line);
        }

        Assert.Equal(0, failed);
        Assert.Equal(0, Info(stats, "evicted_keys"));
        Assert.True(Info(memory, "used_memory_peak") < MaxMemory * 0.95, "Redis reached its cap");
        Assert.True(stored > 1000, "hardly anything was stored");
        foreach (var key in state)
        {
            Assert.True(await admin.GetDatabase(0).KeyExistsAsync(key), $"state key {key} is gone");
        }

        // The state is still writable (a full Redis refuses writes under noeviction) and served.
        using (var put = await PutRedirectAsync("%2Ffill-after", "/after"))
        {
            Assert.True(put.IsSuccessStatusCode, put.StatusCode.ToString());
        }

        using (var redirect = await _client.GetAsync("/fill-before"))
        {
            Assert.Equal(HttpStatusCode.TemporaryRedirect, redirect.StatusCode);
        }

        // An early answer is still a hit. Not necessarily the very next read: a Redis call that timed out under the fill's
        // load makes this replica skip the cache for RetryAfter (by design), so it is asked until the cache is back.
        var status = "";
        for (var attempt = 0; attempt < 40 && status != CacheStatus.Hit; attempt++)
        {
            if (attempt > 0)
            {
                await Task.Delay(250);
            }

            using var hit = await _client.GetAsync("/api/v2/invoices/en-us?sort=id:asc&filters[amount][$eq]=0");
            status = string.Join(", ", hit.Headers.GetValues(CacheStatus.HeaderName));
        }

        Assert.Equal(CacheStatus.Hit, status);
    }

    /// <summary>The state keys (key ring, redirect entries, the table's marker) once they are all written.</summary>
    private static async Task<List<RedisKey>> WaitForStateAsync(IServer server)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var keys = server.Keys(0).ToList();
            if (keys.Any(k => k.ToString() == "gateway:dataprotection:keys")
                && keys.Any(k => k.ToString().Contains("fill-before", StringComparison.Ordinal))
                && keys.Any(k => k.ToString().Contains("sync:", StringComparison.Ordinal)))
            {
                return keys;
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException("The gateway's state keys did not appear: " + string.Join(", ", server.Keys(0)));
    }

    private async Task<HttpResponseMessage> PutRedirectAsync(string key, string destination)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, "/api/redirects/" + key)
        {
            Content = new StringContent($$"""{"destination":"{{destination}}","permanent":false}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Admin-Key", GatewayHost.AdminKey);
        return await _client.SendAsync(request);
    }

    private static long Info(string? info, string name)
    {
        foreach (var line in (info ?? "").Split('\n'))
        {
            if (line.StartsWith(name + ":", StringComparison.Ordinal))
            {
                return long.Parse(line[(name.Length + 1)..].Trim(), CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"{name} not in INFO");
    }
}

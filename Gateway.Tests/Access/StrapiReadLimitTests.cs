using System.Net;
using Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Gateway.Tests.Access;

/// <summary>
/// The per-client cap on concurrent reads of Strapi, in front of a stand-in Strapi that holds every read until the test
/// lets go. Clients are told apart by <c>X-Forwarded-For</c> from a trusted proxy (the test client).
/// </summary>
public sealed class StrapiReadLimitTests : IAsyncLifetime
{
    private const string List = "/api/v2/invoices/en-us";
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private RedisServer _redis = null!;
    private StubUpstream _strapi = null!;
    private StubUpstream _frontend = null!;
    private GatewayHost _gateway = null!;
    private volatile bool _hold;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _strapi = await StubUpstream.StartAsync();
        _frontend = await StubUpstream.StartAsync();
        _strapi.Handler = async context =>
        {
            if (_hold)
            {
                await _release.Task.WaitAsync(context.RequestAborted);
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"data":[],"meta":{"pagination":{"page":1,"pageSize":25,"pageCount":0,"total":0}}}""");
        };
        _gateway = new GatewayHost(_strapi.BaseUrl, _frontend.BaseUrl, _redis.Configuration, new Dictionary<string, string?>
        {
            ["Geo:TrustedProxies:0"] = "127.0.0.1",
            ["Access:RateLimits:StrapiReadsPerClient"] = "3",
            ["ResponseCache:Enabled"] = "true",
        });
    }

    public async Task DisposeAsync()
    {
        _release.TrySetResult();
        await _gateway.DisposeAsync();
        await _strapi.DisposeAsync();
        await _frontend.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task OneClientsReadsHeld_ItsNextRead429_OtherClientsAndCacheHitsGoOn()
    {
        using (var warm = await From("203.0.113.9").GetAsync(List + "?sort=date:desc"))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        _hold = true;
        var held = Enumerable.Range(0, 3).Select(i => From("203.0.113.1").GetAsync($"{List}?pagination[page]={i + 1}")).ToList();
        await EventuallyAsync(() => _strapi.Requests.Count == 4, () => string.Join(" ", _strapi.Requests.Select(r => r.Target)) + " | " + string.Join(" ", held.Select(t => t.Status)));

        // As many more wait their turn; none of them reaches Strapi while the first three are held.
        var queued = Enumerable.Range(5, 3).Select(i => From("203.0.113.1").GetAsync($"{List}?pagination[page]={i}")).ToList();
        await Task.Delay(300);
        Assert.Equal(4, _strapi.Requests.Count);
        Assert.All(queued, read => Assert.False(read.IsCompleted));

        using var fourth = await From("203.0.113.1").GetAsync(List + "?pagination[page]=9");
        using var hit = await From("203.0.113.1").GetAsync(List + "?sort=date:desc");
        var other = From("203.0.113.2").GetAsync(List + "?pagination[page]=4");
        await EventuallyAsync(() => _strapi.Requests.Count == 5, () => string.Join(" ", _strapi.Requests.Select(r => r.Target)));
        _release.SetResult();

        await ProblemAssert.IsProblemAsync(fourth, HttpStatusCode.TooManyRequests);
        Assert.True(fourth.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, hit.StatusCode);
        Assert.StartsWith("edge-gateway; hit", hit.Headers.GetValues("Cache-Status").Single(), StringComparison.Ordinal);
        using (var answer = await other)
        {
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        }

        foreach (var read in held.Concat(queued))
        {
            using var answer = await read;
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        }

        Assert.DoesNotContain(_strapi.Requests, r => r.Target.Contains("page%5D=9", StringComparison.Ordinal) || r.Target.Contains("page]=9", StringComparison.Ordinal));
    }

    [Fact]
    public void Caller_SignedInUser_ElseAddress()
    {
        var anonymous = new DefaultHttpContext();
        anonymous.Connection.RemoteIpAddress = System.Net.IPAddress.Parse("198.51.100.4");
        var signedIn = new DefaultHttpContext { User = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
            [new("sub", "7"), new("source", "strapi")], "session")) };
        signedIn.Connection.RemoteIpAddress = anonymous.Connection.RemoteIpAddress;

        Assert.Equal("ip:198.51.100.4", Gateway.Access.StrapiReadLimit.CallerOf(anonymous));
        Assert.Equal("user:strapi:7", Gateway.Access.StrapiReadLimit.CallerOf(signedIn));
    }

    private HttpClient From(string client)
    {
        var http = _gateway.CreateGatewayClient();
        http.DefaultRequestHeaders.Add("X-Forwarded-For", client);
        return http;
    }

    private static async Task EventuallyAsync(Func<bool> condition, Func<string> state)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(50);
        }

        Assert.True(condition(), state());
    }
}

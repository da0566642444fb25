using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Gateway.Tests.Infrastructure;
using StackExchange.Redis;

namespace Gateway.Tests.Redis;

/// <summary>
/// Redis high availability with real processes: a primary, a replica and a Sentinel (redis-server --sentinel), and
/// two gateways configured with the Sentinel's address and the service name. The primary is killed under a steady
/// load: no proxied request fails, redirect hits are served throughout, and an edit made on the new primary is live
/// on both gateways.
/// </summary>
public sealed class SentinelFailoverTests : IAsyncLifetime
{
    private const string Service = "gateway-ha";
    private const string Prefix = "gateway:redirect:";
    private const string Before = """{"destination":"/api/v2/invoices/en-us","permanent":false}""";
    private const string After = """{"destination":"/api/v2/customers/en-us","permanent":true}""";

    private readonly string _directory = Directory.CreateTempSubdirectory("sentinel-").FullName;
    private readonly List<GatewayHost> _gateways = [];
    private RedisServer _primary = null!;
    private RedisServer _replica = null!;
    private RedisServer _sentinel = null!;
    private StubUpstream _upstream = null!;

    public async Task InitializeAsync()
    {
        _primary = await RedisServer.StartAsync();
        _replica = await RedisServer.StartAsync(["--replicaof", "127.0.0.1", Port(_primary)]);
        var config = Path.Combine(_directory, "sentinel.conf");
        // Small timeouts so the failover takes a few seconds: down after 1 s, failover within 3 s.
        await File.WriteAllTextAsync(config, $"""
            sentinel monitor {Service} 127.0.0.1 {Port(_primary)} 1
            sentinel down-after-milliseconds {Service} 1000
            sentinel failover-timeout {Service} 3000
            sentinel parallel-syncs {Service} 1

            """);
        _sentinel = await RedisServer.StartAsync(["--sentinel"], config);
        _upstream = await StubUpstream.StartAsync();
        _upstream.Respond(200, StrapiShapes.List());

        // The replica must be known to Sentinel before the primary goes, or there is nothing to promote.
        await using var sentinel = await ConnectSentinelAsync();
        await EventuallyAsync(async () => (await sentinel.GetServer(_sentinel.Configuration).SentinelReplicasAsync(Service)).Length == 1, "Sentinel never saw the replica");
        await EventuallyAsync(async () => await ReplicaInSyncAsync(), "the replica never synced");
    }

    public async Task DisposeAsync()
    {
        foreach (var gateway in _gateways)
        {
            await gateway.DisposeAsync();
        }

        await _upstream.DisposeAsync();
        await _sentinel.DisposeAsync();
        await _replica.DisposeAsync();
        await _primary.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task PrimaryKilledUnderLoad_NoFailedRequest_RedirectsServed_EditOnNewPrimaryLiveOnBothGateways() =>
        await FailoverUnderLoadAsync(_primary.StopAsync);

    [Fact]
    public async Task ManualFailover_OldPrimaryDemoted_EditOnNewPrimaryLiveOnBothGateways() =>
        // SENTINEL FAILOVER (maintenance): the old primary stays up and becomes a replica.
        await FailoverUnderLoadAsync(async () =>
        {
            await using var sentinel = await ConnectSentinelAsync();
            await sentinel.GetServer(_sentinel.Configuration).SentinelFailoverAsync(Service);
        });

    [Fact]
    public async Task PrimaryKilled_SessionSurvives_NewGatewayReadsIt_LogoutThenEndsItEverywhere()
    {
        var users = new StrapiUsersStandIn();
        users.Add(new(7, "ed", "ed@test.local", "right-password", "editor"));
        await using var strapi = await StubUpstream.StartAsync();
        strapi.Handler = users.HandleAsync;
        var (first, second) = (StartGateway(strapi.BaseUrl), StartGateway(strapi.BaseUrl));
        using var signIn = await first.PostAsJsonAsync("/auth/login", new { identifier = "ed@test.local", password = "right-password" });
        Assert.Equal(HttpStatusCode.NoContent, signIn.StatusCode);
        var cookie = signIn.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
        Assert.Equal(HttpStatusCode.OK, await MeAsync(second, cookie));
        await using (var replica = await ConnectionMultiplexer.ConnectAsync(_replica.Configuration + ",allowAdmin=true"))
        {
            await EventuallyAsync(async () => await replica.GetServer(_replica.Configuration).KeysAsync(pattern: "gateway:session:*").AnyAsync(), "the session never reached the replica");
        }

        await _primary.StopAsync();
        await using var sentinel = await ConnectSentinelAsync();
        await EventuallyAsync(async () =>
            (await sentinel.GetServer(_sentinel.Configuration).SentinelGetMasterAddressByNameAsync(Service)) is IPEndPoint { Port: var port } && port == _replica.Port,
            "Sentinel never promoted the replica");

        // A gateway started after the failover holds nothing in memory: it reads the session from the new primary.
        var third = StartGateway(strapi.BaseUrl);
        await EventuallyAsync(async () => await MeAsync(third, cookie) == HttpStatusCode.OK, "the session did not survive the failover");
        await EventuallyAsync(async () => await MeAsync(second, cookie) == HttpStatusCode.OK, "the session did not survive on the second gateway");

        await EventuallyAsync(async () =>
        {
            using var logout = new HttpRequestMessage(HttpMethod.Post, "/auth/logout");
            logout.Headers.Add("Cookie", cookie);
            using var done = await first.SendAsync(logout);
            return done.StatusCode == HttpStatusCode.NoContent && await MeAsync(third, cookie) == HttpStatusCode.Unauthorized;
        }, "logout after the failover did not end the session");
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(second, cookie));
    }

    private static async Task<HttpStatusCode> MeAsync(HttpClient client, string cookie)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/auth/me");
        request.Headers.Add("Cookie", cookie);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    private async Task FailoverUnderLoadAsync(Func<Task> failover)
    {
        await using (var primary = await ConnectionMultiplexer.ConnectAsync(_primary.Configuration))
        {
            await primary.GetDatabase().StringSetAsync(Prefix + "/promo", Before);
        }

        var clients = new[] { StartGateway(), StartGateway() };
        foreach (var client in clients)
        {
            await EventuallyAsync(async () => await LocationAsync(client, "/promo") == "/api/v2/invoices/en-us", "a gateway never served the redirect");
        }

        // A steady, bounded load on both gateways: proxied requests and redirect hits, a few in flight at a time.
        using var stop = new CancellationTokenSource();
        var outcomes = new Outcomes();
        var load = clients.SelectMany(client => Enumerable.Range(0, 2).Select(_ => LoadAsync(client, outcomes, stop.Token))).ToList();
        await Task.Delay(TimeSpan.FromSeconds(1));

        await failover();
        await using var sentinel = await ConnectSentinelAsync();
        await EventuallyAsync(async () =>
            (await sentinel.GetServer(_sentinel.Configuration).SentinelGetMasterAddressByNameAsync(Service)) is IPEndPoint { Port: var port } && port == _replica.Port,
            "Sentinel never promoted the replica");
        await using var promoted = await ConnectionMultiplexer.ConnectAsync(_replica.Configuration + ",allowAdmin=true");
        await EventuallyAsync(async () => (await promoted.GetServer(_replica.Configuration).RoleAsync()).Value == "master", "the replica never became a primary");

        // Both gateways follow the new primary (their readiness pings it) and turn keyspace notifications on there
        // (the replica was started without them)…
        foreach (var client in clients)
        {
            await EventuallyAsync(async () => (await client.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK, "a gateway never became ready on the new primary");
        }

        await EventuallyAsync(async () => (await promoted.GetServer(_replica.Configuration).ConfigGetAsync("notify-keyspace-events")).Single().Value.Contains('K', StringComparison.Ordinal), "keyspace notifications never turned on on the new primary");

        // …so an edit there is live on both within a second.
        await promoted.GetDatabase().StringSetAsync(Prefix + "/promo", After);
        var edited = Stopwatch.StartNew();
        foreach (var client in clients)
        {
            await EventuallyAsync(async () => await LocationAsync(client, "/promo") == "/api/v2/customers/en-us", "the edit on the new primary never showed within 1 s", TimeSpan.FromSeconds(1) - edited.Elapsed);
        }

        await Task.Delay(TimeSpan.FromMilliseconds(500));
        await stop.CancelAsync();
        await Task.WhenAll(load);

        Assert.True(outcomes.Proxied > 20, $"only {outcomes.Proxied} proxied requests");
        Assert.True(outcomes.Redirects > 20, $"only {outcomes.Redirects} redirect hits");
        Assert.Empty(outcomes.Failures);
    }

    private Task<ConnectionMultiplexer> ConnectSentinelAsync() =>
        ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions { EndPoints = { _sentinel.Configuration }, CommandMap = CommandMap.Sentinel });

    private HttpClient StartGateway(Uri? strapi = null)
    {
        var gateway = new GatewayHost(strapi ?? _upstream.BaseUrl, _upstream.BaseUrl, $"{_sentinel.Configuration},serviceName={Service}", new Dictionary<string, string?>
        {
            ["Redirects:SeedFile"] = "",
        });
        _gateways.Add(gateway);
        return gateway.CreateGatewayClient();
    }

    private static async Task LoadAsync(HttpClient client, Outcomes outcomes, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using (var proxied = await client.GetAsync("/api/v2/invoices/en-us", CancellationToken.None))
                {
                    outcomes.Count(proxied.StatusCode == HttpStatusCode.OK, ref outcomes.Proxied, $"proxied: {(int)proxied.StatusCode}");
                }

                var location = await LocationAsync(client, "/promo");
                outcomes.Count(location is "/api/v2/invoices/en-us" or "/api/v2/customers/en-us", ref outcomes.Redirects, $"redirect: {location ?? "none"}");
            }
            catch (HttpRequestException e)
            {
                outcomes.Failures.Add(e.Message);
            }

            await Task.Delay(20, CancellationToken.None);
        }
    }

    private static async Task<string?> LocationAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        return response.StatusCode is HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect ? response.Headers.Location?.OriginalString : null;
    }

    private async Task<bool> ReplicaInSyncAsync()
    {
        await using var replica = await ConnectionMultiplexer.ConnectAsync(_replica.Configuration + ",allowAdmin=true");
        var info = await replica.GetServer(_replica.Configuration).InfoAsync("replication");
        return info.SelectMany(group => group).Any(pair => pair.Key == "master_link_status" && pair.Value == "up");
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition, string failure, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(30));
        do
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (Exception e) when (e is RedisException or HttpRequestException or TimeoutException)
            {
                // Not yet.
            }

            await Task.Delay(20);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Fail(failure);
    }

    private static string Port(RedisServer server) => server.Port.ToString(CultureInfo.InvariantCulture);

    private sealed class Outcomes
    {
#pragma warning disable CA1051 // counted with Interlocked by reference
        public int Proxied;
        public int Redirects;
#pragma warning restore CA1051

        public System.Collections.Concurrent.ConcurrentBag<string> Failures { get; } = [];

        public void Count(bool ok, ref int counter, string failure)
        {
            if (ok)
            {
                Interlocked.Increment(ref counter);
            }
            else
            {
                Failures.Add(failure);
            }
        }
    }
}

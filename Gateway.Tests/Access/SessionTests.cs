using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Tests.Infrastructure;
using StackExchange.Redis;

namespace Gateway.Tests.Access;

/// <summary>
/// Server-side sessions with two gateways on one real Redis, in front of a stand-in Strapi (<see cref="StrapiUsersStandIn"/>):
/// a copied cookie dies with its session on every replica, the admin ends sessions, the lifetimes hold, and Redis
/// going away is survived for the grace time only.
/// </summary>
public sealed class SessionTests(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private const string WebhookSecret = "test-webhook-secret";
    private static readonly object BlockedChange = new { @event = "user.update", id = 7, email = Editor, blocked = true, changed = new[] { "blocked" } };
    private static readonly object RoleChange = new { @event = "user.update", id = 7, email = Editor, blocked = false, changed = new[] { "role" } };
    private const string Password = "right-password";
    private const string Editor = "ed@test.local";
    private const string Admin = "ada@test.local";
    private const string Invoices = "/api/v2/invoices/en-us";
    private readonly List<GatewayHost> _gateways = [];
    private readonly StrapiUsersStandIn _users = new();
    private RedisServer _redis = null!;
    private StubUpstream _strapi = null!;
    private StubUpstream _frontend = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _strapi = await StubUpstream.StartAsync();
        _frontend = await StubUpstream.StartAsync();
        _users.Add(new(7, "ed", Editor, Password, "editor"));
        _users.Add(new(8, "nora", "nora@test.local", Password, null));
        _users.Add(new(9, "ada", Admin, Password, "admin"));
        _strapi.Handler = _users.HandleAsync;
        _frontend.Respond(200, "<html></html>", "text/html");
    }

    public async Task DisposeAsync()
    {
        foreach (var gateway in _gateways)
        {
            await gateway.DisposeAsync();
        }

        await _strapi.DisposeAsync();
        await _frontend.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task Logout_CopiedCookieRefused_OnEveryReplica_CookieHoldsOnlyTheId()
    {
        var (first, second) = (Start(), Start());
        var session = await SignInAsync(first, Editor);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(first, session));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(second, session));

        using var logout = new HttpRequestMessage(HttpMethod.Post, "/auth/logout");
        logout.Headers.Add("Cookie", session);
        using var loggedOut = await first.SendAsync(logout);
        Assert.Equal(HttpStatusCode.NoContent, loggedOut.StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(first, session));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(second, session));
        Assert.True(session.Length < 400, $"the cookie carries the ticket: {session.Length} characters");
        using var redis = await ConnectionMultiplexer.ConnectAsync(_redis.Configuration);
        Assert.Empty(await redis.GetDatabase().SetMembersAsync("gateway:session:user:" + Editor));
    }

    [Fact]
    public async Task AdminRevoke_ListsAndEnds_OneOrAll_OnEveryReplica_Logged()
    {
        var gateway = New();
        var (first, second) = (gateway.CreateGatewayClient(), Start());
        var one = await SignInAsync(first, Editor);
        var two = await SignInAsync(second, Editor);
        var admin = await SignInAsync(first, Admin);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(second, one));

        var listed = await ListAsync(second, admin, Editor);
        Assert.Equal(2, listed.GetArrayLength());
        Assert.All(listed.EnumerateArray(), s => Assert.Equal("password", s.GetProperty("method").GetString()));
        Assert.All(listed.EnumerateArray(), s => Assert.Equal("127.0.0.1", s.GetProperty("client").GetString()));

        using var endOne = new HttpRequestMessage(HttpMethod.Delete, "/api/sessions/" + listed[0].GetProperty("id").GetString());
        endOne.Headers.Add("Cookie", admin);
        using var ended = await first.SendAsync(endOne);
        Assert.Equal(HttpStatusCode.NoContent, ended.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(second, one));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(second, two));

        using var endAll = new HttpRequestMessage(HttpMethod.Delete, "/api/sessions?user=" + Uri.EscapeDataString(Editor));
        endAll.Headers.Add("Cookie", admin);
        using var all = await first.SendAsync(endAll);
        Assert.Equal(1, (await all.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("ended").GetInt32());
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(second, two));
        Assert.Equal(0, (await ListAsync(second, admin, Editor)).GetArrayLength());

        // An editor may not.
        var editor = await SignInAsync(first, Editor);
        using var notAdmin = new HttpRequestMessage(HttpMethod.Get, "/api/sessions?user=" + Uri.EscapeDataString(Admin));
        notAdmin.Headers.Add("Cookie", editor);
        using var refused = await first.SendAsync(notAdmin);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains(gateway.Logs.Lines, line => line.Contains($"Session of {Editor} ended by {Admin}", StringComparison.Ordinal));
        Assert.Contains(gateway.Logs.Lines, line => line.Contains($"Every session of {Editor} ended by {Admin}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SessionsPage_AdminOnly_StrictCsp_ScriptServed()
    {
        var client = Start();
        using var signedOut = new HttpRequestMessage(HttpMethod.Get, "/admin/sessions");
        signedOut.Headers.Add("Sec-Fetch-Mode", "navigate");
        using var toSignIn = await client.SendAsync(signedOut);
        Assert.Equal(HttpStatusCode.Found, toSignIn.StatusCode);

        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(client, await SignInAsync(client, Editor), "/admin/sessions"));
        using var page = new HttpRequestMessage(HttpMethod.Get, "/admin/sessions");
        page.Headers.Add("Cookie", await SignInAsync(client, Admin));
        using var shown = await client.SendAsync(page);
        Assert.Equal(HttpStatusCode.OK, shown.StatusCode);
        var csp = string.Join(' ', shown.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", await shown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var script = await client.GetAsync("/admin/sessions/sessions.js");
        Assert.Contains("/api/sessions", await script.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AbsoluteLifetime_EndsASessionThatKeepsBeingUsed()
    {
        var settings = new Dictionary<string, string?> { ["Access:Session:AbsoluteLifetime"] = "00:00:03", ["Access:Session:Lifetime"] = "00:00:02" };
        var (first, second) = (Start(settings), Start(settings));
        var session = await SignInAsync(first, Editor);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 12; i++)
        {
            statuses.Add(await StatusAsync(i % 2 == 0 ? first : second, session));
            await Task.Delay(400);
        }

        // Used every 0.4 s, so the 2 s idle lifetime never ends it; the absolute lifetime does, on both replicas.
        Assert.Equal(HttpStatusCode.OK, statuses[0]);
        Assert.Equal(HttpStatusCode.Unauthorized, statuses[^1]);
        Assert.Equal(HttpStatusCode.Unauthorized, statuses[^2]);
        Assert.Equal(statuses.Count(s => s == HttpStatusCode.OK), statuses.IndexOf(HttpStatusCode.Unauthorized));
    }

    [Fact]
    public async Task RoutesWithoutPolicy_NeedAGatewayRole_NotJustASignIn()
    {
        var settings = new Dictionary<string, string?>
        {
            ["ReverseProxy:Routes:orders:ClusterId"] = "strapi",
            ["ReverseProxy:Routes:orders:Match:Path"] = "/api/v2/orders/en-us",
        };
        var client = Start(settings);

        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(client, await SignInAsync(client, "nora@test.local"), "/api/v2/orders/en-us"));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(client, await SignInAsync(client, Editor), "/api/v2/orders/en-us"));
    }

    [Fact]
    public async Task UserWebhook_Blocked_EndsSessionsAndBearerOnEveryReplica_SecretChecked()
    {
        var settings = new Dictionary<string, string?> { ["ResponseCache:WebhookSecret"] = WebhookSecret };
        var (first, second) = (Start(settings), Start(settings));
        var session = await SignInAsync(first, Editor);
        var bearer = StrapiJwts.Create(7);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(second, session));
        Assert.Equal(HttpStatusCode.OK, await BearerStatusAsync(second, bearer));
        Assert.Equal(HttpStatusCode.OK, await BearerStatusAsync(first, bearer));

        Assert.Equal(HttpStatusCode.Unauthorized, await PostUserChangeAsync(first, null, BlockedChange));
        Assert.Equal(HttpStatusCode.Forbidden, await PostUserChangeAsync(first, "wrong", BlockedChange));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(second, session));

        _users.Add(_users.Users[7] with { Blocked = true });
        Assert.Equal(HttpStatusCode.NoContent, await PostUserChangeAsync(first, WebhookSecret, BlockedChange));

        // Heard on the other replica through pub/sub: its memory of the session and of the bearer's role is gone.
        await Task.Delay(200);
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(second, session));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(first, session));
        Assert.Equal(HttpStatusCode.Unauthorized, await BearerStatusAsync(second, bearer));
        Assert.Equal(HttpStatusCode.Unauthorized, await BearerStatusAsync(first, bearer));
    }

    [Fact]
    public async Task UserWebhook_RoleChanged_NextRequestHasTheNewRole_OnEveryReplica()
    {
        var settings = new Dictionary<string, string?> { ["ResponseCache:WebhookSecret"] = WebhookSecret };
        var (first, second) = (Start(settings), Start(settings));
        var session = await SignInAsync(first, Editor);
        Assert.Equal(["editor"], await RolesAsync(second, session));

        _users.Add(_users.Users[7] with { Role = "admin" });
        Assert.Equal(HttpStatusCode.NoContent, await PostUserChangeAsync(first, WebhookSecret, RoleChange));
        await Task.Delay(200);

        Assert.Equal(["admin"], await RolesAsync(second, session));
        Assert.Equal(["admin"], await RolesAsync(first, session));
    }

    [Fact]
    public async Task NoHook_RecheckInterval_EndsABlockedUsersSession()
    {
        var settings = new Dictionary<string, string?> { ["Access:Session:RecheckInterval"] = "00:00:01" };
        var (first, second) = (Start(settings), Start(settings));
        var session = await SignInAsync(first, Editor);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(second, session));

        _users.Add(_users.Users[7] with { Blocked = true });
        await Task.Delay(1500);

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(second, session));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(first, session));
    }

    [Fact]
    public async Task RedisPaused_KnownSessionWorksForTheGraceTime_SignIn503_Then503NotSignedOut_ThenRecovers()
    {
        var settings = new Dictionary<string, string?> { ["Access:Session:OfflineGrace"] = "00:00:04", ["Access:RedisTimeout"] = "00:00:00.300" };
        var gateway = New(settings);
        var client = gateway.CreateGatewayClient();
        var session = await SignInAsync(client, Editor);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(client, session));

        await _redis.PauseAsync();
        try
        {
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(client, session));
            using var refused = await client.PostAsJsonAsync("/auth/login", new { identifier = Editor, password = Password });
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(client, session));
            await Task.Delay(4500);

            // Past the grace the session cannot be checked: not signed out (401 would send a person to sign in again),
            // a 503 to retry, which a load balancer may retry on a replica that holds the session.
            using var uncheckable = new HttpRequestMessage(HttpMethod.Get, Invoices);
            uncheckable.Headers.Add("Cookie", session);
            using var answer = await client.SendAsync(uncheckable);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
            Assert.NotNull(answer.Headers.RetryAfter);
            Assert.Contains("Session cannot be checked", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);

            // An open route still answers the caller, as anonymous.
            using var open = new HttpRequestMessage(HttpMethod.Get, "/auth/login");
            open.Headers.Add("Cookie", session);
            using var page = await client.SendAsync(open);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        }
        finally
        {
            await _redis.ResumeAsync();
        }

        var deadline = DateTime.UtcNow.AddSeconds(10);
        var status = HttpStatusCode.Unauthorized;
        while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
            status = await StatusAsync(client, session);
        }

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Single(gateway.Logs.Lines, line => line.Contains("Sessions: Redis unreachable", StringComparison.Ordinal));
        Assert.Contains(gateway.Logs.Lines, line => line.Contains("Sessions: Redis reachable again", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RevokeToRefusal_OnAnotherReplica_Measured()
    {
        var settings = new Dictionary<string, string?> { ["Access:RateLimits:SignInPerClient"] = "1000" };
        var (first, second) = (Start(settings), Start(settings));
        var times = new List<double>();
        for (var i = 0; i < 100; i++)
        {
            var session = await SignInAsync(first, "ada@test.local");
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(second, session));
            using var logout = new HttpRequestMessage(HttpMethod.Post, "/auth/logout");
            logout.Headers.Add("Cookie", session);
            var watch = System.Diagnostics.Stopwatch.StartNew();
            using (var done = await first.SendAsync(logout))
            {
                Assert.Equal(HttpStatusCode.NoContent, done.StatusCode);
            }

            var start = watch.Elapsed.TotalMilliseconds;
            while (await StatusAsync(second, session) != HttpStatusCode.Unauthorized)
            {
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), "never refused");
            }

            times.Add(watch.Elapsed.TotalMilliseconds - start);
        }

        var sorted = times.Order().ToList();
        output.WriteLine($"logout on one replica -> refused on the other, after the logout's answer, over 100: median {sorted[49]:0.0} ms, max {sorted[^1]:0.0} ms");
        Assert.Equal(100, times.Count);
    }

    internal static async Task<HttpStatusCode> PostUserChangeAsync(HttpClient client, string? secret, object change)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/strapi/users") { Content = JsonContent.Create(change) };
        if (secret is not null)
        {
            request.Headers.Add("X-Strapi-Webhook-Secret", secret);
        }

        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    private static async Task<HttpStatusCode> BearerStatusAsync(HttpClient client, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Invoices);
        request.Headers.Authorization = new("Bearer", token);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    internal static async Task<string[]> RolesAsync(HttpClient client, string session)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/auth/me");
        request.Headers.Add("Cookie", session);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("roles").EnumerateArray().Select(r => r.GetString()!)];
    }

    internal static async Task<string> SignInAsync(HttpClient client, string identifier, string password = Password)
    {
        using var response = await client.PostAsJsonAsync("/auth/login", new { identifier, password });
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        return response.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
    }

    internal static async Task<HttpStatusCode> StatusAsync(HttpClient client, string session, string path = Invoices)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", session);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    private static async Task<JsonElement> ListAsync(HttpClient client, string admin, string user)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/sessions?user=" + Uri.EscapeDataString(user));
        request.Headers.Add("Cookie", admin);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private GatewayHost New(Dictionary<string, string?>? settings = null)
    {
        var gateway = new GatewayHost(_strapi.BaseUrl, _frontend.BaseUrl, _redis.Configuration, settings, accessControl: true);
        _gateways.Add(gateway);
        return gateway;
    }

    private HttpClient Start(Dictionary<string, string?>? settings = null) => New(settings).CreateGatewayClient();
}

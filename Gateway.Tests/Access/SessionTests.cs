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
public sealed class SessionTests : IAsyncLifetime
{
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

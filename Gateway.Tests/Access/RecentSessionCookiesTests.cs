using System.Net;
using Gateway.Access;
using Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Access;

/// <summary>
/// Issue 29: a session cookie's authentication is reused for the same <c>Cookie</c> header (<c>Access:Session:ReuseFor</c>),
/// and the reuse ends with the session, at once, on every replica. The reuse time here is ten minutes, so whatever ends it
/// is the session's end, not the clock. Full authentications are counted by the cookie handler's
/// <c>OnValidatePrincipal</c>, which runs at each.
/// </summary>
public sealed class RecentSessionCookiesTests : IAsyncLifetime
{
    private const string WebhookSecret = "test-webhook-secret";
    private const string Password = "right-password";
    private const string Editor = "ed@test.local";
    private static readonly object RoleChange = new { @event = "user.update", id = 7, email = Editor, blocked = false, changed = new[] { "role" } };
    private readonly List<GatewayHost> _gateways = [];
    private readonly StrapiUsersStandIn _users = new();
    private RedisServer _redis = null!;
    private StubUpstream _strapi = null!;
    private StubUpstream _frontend = null!;
    private int _fullAuthentications;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _strapi = await StubUpstream.StartAsync();
        _frontend = await StubUpstream.StartAsync();
        _users.Add(new(7, "ed", Editor, Password, "editor"));
        _strapi.Handler = _users.HandleAsync;
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

    [Theory]
    [InlineData("00:10:00", 1)]
    [InlineData("00:00:00", 10)]
    public async Task SameCookieHeader_AuthenticatedInFullOncePerReuseTime(string reuseFor, int full)
    {
        var client = Start(reuseFor);
        var session = await SessionTests.SignInAsync(client, Editor, Password);

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await SessionTests.StatusAsync(client, session));
        }

        Assert.Equal(full, Volatile.Read(ref _fullAuthentications));

        // Another Cookie header (one more cookie of the site's) is another key: authenticated in full, then reused too.
        Assert.Equal(HttpStatusCode.OK, await SessionTests.StatusAsync(client, session + "; theme=dark"));
        Assert.Equal(HttpStatusCode.OK, await SessionTests.StatusAsync(client, session + "; theme=dark"));
        Assert.Equal(full == 1 ? 2 : 12, Volatile.Read(ref _fullAuthentications));
    }

    [Fact]
    public async Task ReusedAuthentication_EndsWithTheSession_OnEveryReplica()
    {
        var (first, second) = (Start("00:10:00"), Start("00:10:00"));
        var session = await SessionTests.SignInAsync(first, Editor, Password);
        Assert.Equal(["editor"], await SessionTests.RolesAsync(first, session));
        Assert.Equal(["editor"], await SessionTests.RolesAsync(second, session));

        // A changed role: the next request on each replica has it.
        _users.Add(_users.Users[7] with { Role = "admin" });
        Assert.Equal(HttpStatusCode.NoContent, await SessionTests.PostUserChangeAsync(first, WebhookSecret, RoleChange));
        Assert.Equal(["admin"], await SessionTests.RolesAsync(first, session));
        await EventuallyAsync(async () => (await SessionTests.RolesAsync(second, session)).SequenceEqual(["admin"]));

        // Signed out on the first: refused there at once, and on the second as soon as it hears of it.
        using var logout = new HttpRequestMessage(HttpMethod.Post, "/auth/logout");
        logout.Headers.Add("Cookie", session);
        using (var loggedOut = await first.SendAsync(logout))
        {
            Assert.Equal(HttpStatusCode.NoContent, loggedOut.StatusCode);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await SessionTests.StatusAsync(first, session));
        await EventuallyAsync(async () => await SessionTests.StatusAsync(second, session) == HttpStatusCode.Unauthorized);
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5); // pub/sub between replicas: milliseconds, unless the machine is busy
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "not seen on the other replica within 5 s");
            await Task.Delay(50);
        }
    }

    private HttpClient Start(string reuseFor)
    {
        var gateway = new GatewayHost(_strapi.BaseUrl, _frontend.BaseUrl, _redis.Configuration, new Dictionary<string, string?>
        {
            ["Access:Session:ReuseFor"] = reuseFor,
            ["ResponseCache:WebhookSecret"] = WebhookSecret,
        }, accessControl: true)
        {
            ExtraServices = services => services.PostConfigure<CookieAuthenticationOptions>(AccessSchemes.Session, cookie =>
            {
                var validate = cookie.Events.OnValidatePrincipal;
                cookie.Events.OnValidatePrincipal = context =>
                {
                    Interlocked.Increment(ref _fullAuthentications);
                    return validate(context);
                };
            }),
        };
        _gateways.Add(gateway);
        return gateway.CreateGatewayClient();
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using StackExchange.Redis;

namespace Gateway.Tests.Access;

/// <summary>
/// Access control with yarp.json's policies on, in front of stand-ins that record what reaches them: a stand-in
/// Strapi that knows one user (id 7, editor) and one without a role (id 8), and a stand-in frontend.
/// </summary>
public sealed class AccessControlTests : IAsyncLifetime
{
    private const string Password = "right-password";
    private readonly List<GatewayHost> _gateways = [];
    private RedisServer _redis = null!;
    private StubUpstream _strapi = null!;
    private StubUpstream _frontend = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _strapi = await StubUpstream.StartAsync();
        _frontend = await StubUpstream.StartAsync();
        _strapi.Handler = StrapiAsync;
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
    public async Task Anonymous_EveryRouteOfYarpJson_401_NothingForwarded()
    {
        var client = Start();
        string[] requests =
        [
            "GET /api/v2/invoices/en-us", "HEAD /api/v2/invoices/en-us", "POST /api/v2/invoices/en-us", "GET /api/v2/invoices/en-us/csv",
            "GET /api/v2/invoices/en-us/a1", "PUT /api/v2/invoices/en-us/a1", "DELETE /api/v2/invoices/en-us/a1",
            "GET /api/v2/customers/en-us", "POST /api/v2/customers/en-us", "GET /api/v2/customers/en-us/a1", "PUT /api/v2/customers/en-us/a1",
            "DELETE /api/v2/customers/en-us/a1", "GET /api/v2/revenues/en-us", "POST /api/v2/revenues/en-us", "GET /api/v2/revenues/en-us/a1",
            "PUT /api/v2/revenues/en-us/a1", "DELETE /api/v2/revenues/en-us/a1", "GET /api/v2/invoices/fr", "GET /api/v1/invoices",
        ];

        foreach (var line in requests)
        {
            var (method, path) = (line.Split(' ')[0], line.Split(' ')[1]);
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (method is "POST" or "PUT")
            {
                request.Content = JsonContent.Create(new { amount = 1 });
            }

            using var response = await client.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{line}: {(int)response.StatusCode}");
        }

        Assert.Empty(_strapi.Requests);
        Assert.Empty(_frontend.Requests);
    }

    [Fact]
    public async Task RouteWithoutPolicy_IsClosed()
    {
        var client = Start(new()
        {
            ["ReverseProxy:Routes:orders:ClusterId"] = "strapi",
            ["ReverseProxy:Routes:orders:Match:Path"] = "/api/v2/orders/en-us",
        });

        using var response = await client.GetAsync("/api/v2/orders/en-us");

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Empty(_strapi.Requests);
    }

    [Fact]
    public async Task SessionCookie_AdminKey_Authorization_NeverForwarded_OtherCookiesAre()
    {
        var client = Start(new() { ["Redirects:AdminKey"] = GatewayHost.AdminKey });
        var session = await SignInAsync(client);

        foreach (var path in new[] { "/api/v2/invoices/en-us", "/dashboard" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Add("Cookie", $"theme=dark; {session}; lang=fr");
            request.Headers.Add("X-Admin-Key", GatewayHost.AdminKey);
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

            using var bearer = new HttpRequestMessage(HttpMethod.Get, path);
            bearer.Headers.Add("Cookie", session);
            bearer.Headers.Authorization = new("Bearer", StrapiJwt(7));
            using var answer = await client.SendAsync(bearer);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        }

        var toStrapi = _strapi.Requests.Where(r => r.Target.StartsWith("/api/invoices", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, toStrapi.Count);
        Assert.Equal(2, _frontend.Requests.Count);
        Assert.All(toStrapi, r => Assert.Equal($"Bearer {GatewayHost.Token}", r.Header("Authorization")));
        Assert.All(_frontend.Requests, r => Assert.Null(r.Header("Authorization")));
        foreach (var seen in toStrapi.Concat(_frontend.Requests))
        {
            Assert.Null(seen.Header("X-Admin-Key"));
            Assert.DoesNotContain("gateway.session", seen.Header("Cookie") ?? "", StringComparison.Ordinal);
        }

        Assert.Equal("theme=dark; lang=fr", _frontend.Requests.First().Header("Cookie"));
    }

    [Fact]
    public async Task TwoInstances_OneRedis_AcceptEachOthersCookies_AnotherRedisDoesNot()
    {
        await using var otherRedis = await RedisServer.StartAsync();
        var first = Start();
        var second = Start();
        var elsewhere = Start(new() { ["Redis:Configuration"] = otherRedis.Configuration });

        var session = await SignInAsync(first);

        Assert.Equal(HttpStatusCode.OK, await StatusWithCookieAsync(second, session));
        Assert.Equal(HttpStatusCode.OK, await StatusWithCookieAsync(first, session));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithCookieAsync(elsewhere, session));
        using var redis = await ConnectionMultiplexer.ConnectAsync(_redis.Configuration);
        Assert.True(await redis.GetDatabase().ListLengthAsync("gateway:dataprotection:keys") >= 1);
    }

    [Fact]
    public async Task SessionCookie_OnceAccepted_TamperedCopyRefused()
    {
        var client = Start();
        var session = await SignInAsync(client);
        var value = session[(session.IndexOf('=', StringComparison.Ordinal) + 1)..];
        var middle = value.Length / 2;
        var tampered = session[..(session.Length - value.Length)] + value[..middle] + (value[middle] == 'A' ? 'B' : 'A') + value[(middle + 1)..];

        Assert.Equal(HttpStatusCode.OK, await StatusWithCookieAsync(client, session));
        Assert.Equal(HttpStatusCode.OK, await StatusWithCookieAsync(client, session));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithCookieAsync(client, tampered));
    }

    [Fact]
    public async Task AdminKeyShorterThan32_RefusedAtStart_WithOneClearLine()
    {
        // The real process, as an operator starts it: what it prints and its exit code.
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { typeof(Program).Assembly.Location, "--contentRoot", RepositoryPaths.File("Gateway") },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["Urls"] = $"http://127.0.0.1:{FreePort.Next()}",
                ["Strapi__Token"] = GatewayHost.Token,
                ["Redis__Configuration"] = _redis.Configuration,
                ["Gateway__YarpFile"] = RepositoryPaths.File("yarp.json"),
                ["Redirects__AdminKey"] = new string('k', 31),
            },
        };
        using var process = ChildProcesses.Track(Process.Start(start)!);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(2, process.ExitCode);
        Assert.Equal("gateway: configuration refused: Redirects:AdminKey must be at least 32 characters (or empty: no admin key).", error.Trim());
        Assert.DoesNotContain(new string('k', 31), await output + error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminKeyGuesses_LimitedPerClient_429_LoggedWithoutTheKey()
    {
        var gateway = New(new() { ["Redirects:AdminKey"] = GatewayHost.AdminKey, ["Access:RateLimits:AdminPerClient"] = "3" });
        var client = gateway.CreateGatewayClient();
        const string guess = "guessed-key-0123456789abcdef0123456789";

        var statuses = new List<HttpStatusCode>();
        foreach (var key in new[] { guess, guess, guess, guess, GatewayHost.AdminKey })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/redirects");
            request.Headers.Add("X-Admin-Key", key);
            using var response = await client.SendAsync(request);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                await ProblemAssert.IsProblemAsync(response, HttpStatusCode.TooManyRequests);
                Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero);
            }
        }

        // Guesses on other routes count too.
        using var elsewhere = new HttpRequestMessage(HttpMethod.Get, "/api/v2/invoices/en-us");
        elsewhere.Headers.Add("X-Admin-Key", guess);
        var other = Start(new() { ["Redirects:AdminKey"] = GatewayHost.AdminKey, ["Access:RateLimits:AdminPerClient"] = "1" });
        using (var firstGuess = await other.SendAsync(elsewhere))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, firstGuess.StatusCode);
        }

        using var again = new HttpRequestMessage(HttpMethod.Get, "/api/v2/invoices/en-us");
        again.Headers.Add("X-Admin-Key", guess);
        using var secondGuess = await other.SendAsync(again);

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(HttpStatusCode.TooManyRequests, secondGuess.StatusCode);
        Assert.Contains(gateway.Logs.Lines, line => line.Contains("Wrong or unset admin key from 127.0.0.1", StringComparison.Ordinal));
        Assert.DoesNotContain(gateway.Logs.Lines, line => line.Contains(guess, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AdminKey_RightKey_ChangeLoggedWithWhoAndBeforeAfter()
    {
        var gateway = New(new() { ["Redirects:AdminKey"] = GatewayHost.AdminKey });
        var client = gateway.CreateGatewayClient();
        using var request = new HttpRequestMessage(HttpMethod.Put, "/api/redirects/%2Facc-old")
        {
            Content = JsonContent.Create(new { destination = "/acc-new", permanent = false }),
        };
        request.Headers.Add("X-Admin-Key", GatewayHost.AdminKey);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Contains(gateway.Logs.Lines, line => line.Contains("/acc-old changed by admin-key from 127.0.0.1", StringComparison.Ordinal)
            && line.Contains("/acc-new", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StrapiBearer_RoleReadOncePerUser_NoRole403_Expired401()
    {
        var client = Start();

        for (var i = 0; i < 3; i++)
        {
            using var ok = await client.SendAsync(WithBearer("/api/v2/invoices/en-us", StrapiJwt(7)));
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using var noRole = await client.SendAsync(WithBearer("/api/v2/invoices/en-us", StrapiJwt(8)));
        using var expired = await client.SendAsync(WithBearer("/api/v2/invoices/en-us", StrapiJwt(7, DateTime.UtcNow.AddMinutes(-5))));
        using var otherSecret = await client.SendAsync(WithBearer("/api/v2/invoices/en-us", StrapiJwt(7, secret: "another-secret-of-enough-length-0123456789")));

        Assert.Single(_strapi.Requests, r => r.Target.StartsWith("/api/users/7", StringComparison.Ordinal));
        await ProblemAssert.IsProblemAsync(noRole, HttpStatusCode.Forbidden);
        await ProblemAssert.IsProblemAsync(expired, HttpStatusCode.Unauthorized);
        await ProblemAssert.IsProblemAsync(otherSecret, HttpStatusCode.Unauthorized);
        Assert.Contains(expired.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
    }

    [Fact]
    public async Task Cors_ConfiguredOriginOnly_NoCredentials_StrapisOwnHeadersGone()
    {
        var client = Start(new() { ["Access:Cors:AllowedOrigins:0"] = "https://dash.example.com" });
        var session = await SignInAsync(client);

        using var allowed = await client.SendAsync(WithOrigin("https://dash.example.com", session));
        using var other = await client.SendAsync(WithOrigin("https://evil.example.net", session));

        Assert.Equal("https://dash.example.com", Assert.Single(allowed.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.False(allowed.Headers.Contains("Access-Control-Allow-Credentials"));
        Assert.DoesNotContain(other.Headers, h => h.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task SignIn_StrapiUnreachable502_TooSlow504()
    {
        var unreachable = Start(new() { ["Strapi:BaseUrl"] = $"http://127.0.0.1:{FreePort.Next()}/" });
        using var down = await unreachable.PostAsJsonAsync("/auth/login", new { identifier = "ed", password = Password });
        await ProblemAssert.IsProblemAsync(down, HttpStatusCode.BadGateway);

        var slow = Start(new() { ["Access:StrapiTimeout"] = "00:00:00.500" });
        _strapi.Hang();
        using var late = await slow.PostAsJsonAsync("/auth/login", new { identifier = "ed", password = Password });
        await ProblemAssert.IsProblemAsync(late, HttpStatusCode.GatewayTimeout);
    }

    [Fact]
    public async Task RedisDownAtStart_SignIn503Problem_BearerStillWorks()
    {
        var client = Start(new() { ["Redis:Configuration"] = $"127.0.0.1:{FreePort.Next()}", ["Redis:Timeout"] = "00:00:00.300" });

        using var signIn = await client.PostAsJsonAsync("/auth/login", new { identifier = "ed@test.local", password = Password });
        using var bearer = await client.SendAsync(WithBearer("/api/v2/invoices/en-us", StrapiJwt(7)));

        await ProblemAssert.IsProblemAsync(signIn, HttpStatusCode.ServiceUnavailable);
        Assert.Equal(HttpStatusCode.OK, bearer.StatusCode);
    }

    [Fact]
    public async Task JsonRule_EveryCaller_NonJsonBody415_NeverRelabelled()
    {
        var client = Start(new() { ["Redirects:AdminKey"] = GatewayHost.AdminKey });

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v2/invoices/en-us") { Content = new StringContent("""{"amount":1}""", Encoding.UTF8, "text/plain") };
        request.Headers.Add("X-Admin-Key", GatewayHost.AdminKey);
        using var refused = await client.SendAsync(request);
        using var json = new HttpRequestMessage(HttpMethod.Post, "/api/v2/invoices/en-us") { Content = new StringContent("""{"amount":1}""", Encoding.UTF8, "application/json") };
        json.Headers.Add("X-Admin-Key", GatewayHost.AdminKey);
        using var accepted = await client.SendAsync(json);

        await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.UnsupportedMediaType);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        var seen = Assert.Single(_strapi.Requests, r => r.Method == "POST");
        Assert.Equal("application/json; charset=utf-8", seen.Header("Content-Type"));
        Assert.Equal("""{"data":{"amount":1}}""", seen.Body);
    }

    private static HttpRequestMessage WithBearer(string path, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new("Bearer", token);
        return request;
    }

    private static HttpRequestMessage WithOrigin(string origin, string session)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v2/invoices/en-us");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Cookie", session);
        return request;
    }

    private static string StrapiJwt(int id, DateTime? expires = null, string secret = GatewayHost.StrapiJwtSecret) => StrapiJwts.Create(id, expires, secret);

    private static async Task<string> SignInAsync(HttpClient client)
    {
        using var response = await client.PostAsJsonAsync("/auth/login", new { identifier = "ed@test.local", password = Password });
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        return response.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
    }

    private static async Task<HttpStatusCode> StatusWithCookieAsync(HttpClient client, string session)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v2/invoices/en-us");
        request.Headers.Add("Cookie", session);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    private GatewayHost New(Dictionary<string, string?>? settings = null)
    {
        var gateway = new GatewayHost(_strapi.BaseUrl, _frontend.BaseUrl, _redis.Configuration, settings, accessControl: true);
        _gateways.Add(gateway);
        return gateway;
    }

    private HttpClient Start(Dictionary<string, string?>? settings = null) => New(settings).CreateGatewayClient();

    /// <summary>Strapi's users-permissions (any credentials are right: user 7), two users, and an empty list for anything else.</summary>
    private static async Task StrapiAsync(HttpContext context)
    {
        var path = context.Request.Path.Value;
        context.Response.ContentType = "application/json";
        if (path == "/api/auth/local")
        {
            context.Response.StatusCode = 200;
            await context.Response.WriteAsync("""{"jwt":"not-kept","user":{"id":7}}""");
            return;
        }

        if (path is "/api/users/7" or "/api/users/8")
        {
            var role = path.EndsWith('7') ? """{"type":"editor","name":"Editor"}""" : "null";
            await context.Response.WriteAsync($$"""{"id":{{path[^1]}},"username":"ed","email":"ed@test.local","blocked":false,"role":{{role}}}""");
            return;
        }

        context.Response.Headers["Access-Control-Allow-Origin"] = "*";
        context.Response.Headers["Access-Control-Allow-Credentials"] = "true";
        await context.Response.WriteAsync("""{"data":[],"meta":{"pagination":{"page":1,"pageSize":25,"pageCount":0,"total":0}}}""");
    }
}

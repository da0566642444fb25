using System.Net;
using System.Net.Http.Json;
using Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Gateway.Tests.Access;

/// <summary>
/// The door for a person with a browser, with yarp.json's policies on, in front of stand-ins that record what reaches
/// them: a stand-in Strapi that knows reader "rita" (id 5) and admin "ada" (id 9), both with <see cref="Password"/>, and a
/// stand-in frontend. Requests carry the headers a browser sends (<c>Sec-Fetch-Mode</c>, <c>Origin</c>).
/// </summary>
public sealed class BrowserDoorTests : IAsyncLifetime
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
        _frontend.Respond(200, "<html>dashboard</html>", "text/html");
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
    [InlineData("/dashboard/invoices", "/auth/login?returnUrl=%2Fdashboard%2Finvoices")]
    [InlineData("/", "/auth/login")]
    [InlineData("/api/v2/invoices/en-us/csv?filters[invoice_status][$eq]=paid", "/auth/login?returnUrl=%2Fapi%2Fv2%2Finvoices%2Fen-us%2Fcsv%3Ffilters%5Binvoice_status%5D%5B%24eq%5D%3Dpaid")]
    public async Task SignedOutNavigation_302ToSignInWithReturnUrl_FetchKeeps401_NothingForwarded(string path, string location)
    {
        var (gateway, client) = Start();

        using var navigation = await client.SendAsync(Navigate(path));
        using var fetch = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.Found, navigation.StatusCode);
        Assert.Equal(location, navigation.Headers.Location?.OriginalString);
        await ProblemAssert.IsProblemAsync(fetch, HttpStatusCode.Unauthorized);
        Assert.Empty(_frontend.Requests);
        Assert.Empty(_strapi.Requests);
    }

    [Fact]
    public async Task OldBrowser_AcceptPrefersHtml_IsANavigation_ApiAcceptIsNot()
    {
        var (_, client) = Start();

        using var html = new HttpRequestMessage(HttpMethod.Get, "/dashboard");
        html.Headers.TryAddWithoutValidation("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
        using var json = new HttpRequestMessage(HttpMethod.Get, "/dashboard");
        json.Headers.TryAddWithoutValidation("Accept", "application/json, text/html;q=0.5");
        using var page = await client.SendAsync(html);
        using var api = await client.SendAsync(json);

        Assert.Equal(HttpStatusCode.Found, page.StatusCode);
        await ProblemAssert.IsProblemAsync(api, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task SignInPage_Html_StrictCsp_FormWithReturnUrl_NoProviderButtonWithoutOidc()
    {
        var (_, client) = Start();

        using var response = await client.GetAsync("/auth/login?returnUrl=/dashboard/invoices%3Fpage%3D2");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("script-src", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("<form id=\"signin\" method=\"post\" action=\"/auth/login\">", html, StringComparison.Ordinal);
        Assert.Contains("name=\"returnUrl\" value=\"/dashboard/invoices?page=2\"", html, StringComparison.Ordinal);
        Assert.Contains("<label for=\"identifier\">", html, StringComparison.Ordinal);
        Assert.Contains("<label for=\"password\">", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("id=\"oidc\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"message\"", html, StringComparison.Ordinal);
        using var css = await client.GetAsync("/auth/assets/gateway.css");
        Assert.Equal("text/css", css.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task FormSignIn_303ToReturnUrl_CookieOpensThePage_FrontendToldWhoItIs()
    {
        var (gateway, client) = Start();

        using var signIn = await client.SendAsync(Form(gateway, "/auth/login", ("identifier", "rita@test.local"), ("password", Password), ("returnUrl", "/dashboard/invoices")));
        var cookie = SessionCookie(signIn);
        using var page = await client.SendAsync(Navigate("/dashboard/invoices", cookie));

        Assert.Equal(HttpStatusCode.SeeOther, signIn.StatusCode);
        Assert.Equal("/dashboard/invoices", signIn.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var seen = Assert.Single(_frontend.Requests);
        Assert.Equal("rita", seen.Header("X-Forwarded-User"));
        Assert.Equal("rita@test.local", seen.Header("X-Forwarded-Email"));
        Assert.Equal("reader", seen.Header("X-Forwarded-Roles"));
    }

    [Fact]
    public async Task ForgedIdentityHeaders_NeverReachAnUpstream_SignedInOrNot()
    {
        var (gateway, client) = Start(new() { ["ReverseProxy:Routes:open:ClusterId"] = "frontend", ["ReverseProxy:Routes:open:AuthorizationPolicy"] = "anonymous", ["ReverseProxy:Routes:open:Match:Path"] = "/welcome" });
        var cookie = await SignInAsync(gateway, client, "ada@test.local");

        foreach (var (path, session) in new[] { ("/welcome", (string?)null), ("/dashboard", cookie), ("/api/v2/invoices/en-us", cookie) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Add("X-Forwarded-User", "mallory");
            request.Headers.Add("X-Forwarded-Email", "mallory@evil.test");
            request.Headers.Add("X-Forwarded-Roles", "admin");
            if (session is not null)
            {
                request.Headers.Add("Cookie", session);
            }

            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var reached = _frontend.Requests.Concat(_strapi.Requests.Where(r => r.Target.StartsWith("/api/invoices", StringComparison.Ordinal))).ToList();
        Assert.Equal(3, reached.Count);
        Assert.All(reached, r => Assert.DoesNotContain("mallory", r.Header("X-Forwarded-User") + r.Header("X-Forwarded-Email"), StringComparison.Ordinal));
        Assert.Null(_frontend.Requests.First().Header("X-Forwarded-User"));
        Assert.Equal("ada", _frontend.Requests.Last().Header("X-Forwarded-User"));
        Assert.Equal("admin", _frontend.Requests.Last().Header("X-Forwarded-Roles"));
    }

    [Fact]
    public async Task FormSignIn_WrongPassword_PageAgainWithMessage401_SixthShowsLockOut429()
    {
        var (gateway, client) = Start();
        var statuses = new List<HttpStatusCode>();
        string last = "";

        for (var i = 0; i < 6; i++)
        {
            using var response = await client.SendAsync(Form(gateway, "/auth/login", ("identifier", "rita@test.local"), ("password", "wrong"), ("returnUrl", "/dashboard")));
            statuses.Add(response.StatusCode);
            last = await response.Content.ReadAsStringAsync();
            if (i == 0)
            {
                Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
                Assert.Contains("id=\"message\"", last, StringComparison.Ordinal);
                Assert.Contains("The identifier or the password is wrong.", last, StringComparison.Ordinal);
                Assert.Contains("value=\"rita@test.local\"", last, StringComparison.Ordinal);
                Assert.Contains("name=\"returnUrl\" value=\"/dashboard\"", last, StringComparison.Ordinal);
            }
            else if (i == 5)
            {
                Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero);
            }
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Unauthorized, 5), HttpStatusCode.TooManyRequests], statuses);
        Assert.Contains("Too many sign-in attempts. Try again in", last, StringComparison.Ordinal);
        Assert.Contains("UTC", last, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://evil.test", null)]
    [InlineData(null, "cross-site")]
    [InlineData(null, null)]
    [InlineData("null", null)]
    public async Task FormSignIn_NotFromThisOrigin_403_NoCookie_StrapiNotAsked(string? origin, string? fetchSite)
    {
        var (_, client) = Start();

        using var request = new HttpRequestMessage(HttpMethod.Post, "/auth/login")
        {
            Content = new FormUrlEncodedContent([new("identifier", "rita@test.local"), new("password", Password)]),
        };
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        if (fetchSite is not null)
        {
            request.Headers.Add("Sec-Fetch-Site", fetchSite);
        }

        using var response = await client.SendAsync(request);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden);
        Assert.False(response.Headers.Contains("Set-Cookie"));
        Assert.Empty(_strapi.Requests);
    }

    [Fact]
    public async Task JsonSignIn_Unchanged_204_WrongPassword401Problem()
    {
        var (_, client) = Start();

        using var right = await client.PostAsJsonAsync("/auth/login", new { identifier = "rita@test.local", password = Password });
        using var wrong = await client.PostAsJsonAsync("/auth/login", new { identifier = "rita@test.local", password = "nope" });

        Assert.Equal(HttpStatusCode.NoContent, right.StatusCode);
        await ProblemAssert.IsProblemAsync(wrong, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task SignInBody_OverTheLimit_413_BeforeStrapiIsAsked()
    {
        var (gateway, client) = Start();

        using var json = await client.PostAsync("/auth/login", new StringContent($$"""{"identifier":"rita@test.local","password":"{{new string('x', 40_000)}}"}""", System.Text.Encoding.UTF8, "application/json"));
        using var form = await client.SendAsync(Form(gateway, "/auth/login", ("identifier", "rita@test.local"), ("password", new string('x', 40_000))));

        await ProblemAssert.IsProblemAsync(json, HttpStatusCode.RequestEntityTooLarge);
        await ProblemAssert.IsProblemAsync(form, HttpStatusCode.RequestEntityTooLarge);
        Assert.Empty(_strapi.Requests);
    }

    [Fact]
    public async Task SignOut_GetShowsAButtonAndChangesNothing_FormPost303ToSignIn_EndsTheSession()
    {
        var (gateway, client) = Start();
        var cookie = await SignInAsync(gateway, client, "rita@test.local");

        using var get = new HttpRequestMessage(HttpMethod.Get, "/auth/logout");
        get.Headers.Add("Cookie", cookie);
        using var page = await client.SendAsync(get);
        var html = await page.Content.ReadAsStringAsync();
        using var stillIn = await client.SendAsync(Navigate("/dashboard", cookie));

        using var post = Form(gateway, "/auth/logout");
        post.Headers.Add("Cookie", cookie);
        using var signedOut = await client.SendAsync(post);

        Assert.Contains("<form id=\"signout\" method=\"post\" action=\"/auth/logout\">", html, StringComparison.Ordinal);
        Assert.Contains("rita (rita@test.local)", html, StringComparison.Ordinal);
        Assert.False(page.Headers.Contains("Set-Cookie"));
        Assert.Equal(HttpStatusCode.OK, stillIn.StatusCode);
        Assert.Equal(HttpStatusCode.SeeOther, signedOut.StatusCode);
        Assert.Equal("/auth/login", signedOut.Headers.Location?.OriginalString);
        Assert.Contains(signedOut.Headers.GetValues("Set-Cookie"), c => c.StartsWith("gateway.session=;", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SignOutForm_FromAnotherSite_403_SessionKept()
    {
        var (gateway, client) = Start();
        var cookie = await SignInAsync(gateway, client, "rita@test.local");

        using var post = new HttpRequestMessage(HttpMethod.Post, "/auth/logout") { Content = new FormUrlEncodedContent([]) };
        post.Headers.Add("Cookie", cookie);
        post.Headers.Add("Origin", "https://evil.test");
        using var refused = await client.SendAsync(post);
        using var stillIn = await client.SendAsync(Navigate("/dashboard", cookie));

        await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.Forbidden);
        Assert.False(refused.Headers.Contains("Set-Cookie"));
        Assert.Equal(HttpStatusCode.OK, stillIn.StatusCode);
    }

    [Fact]
    public async Task SignedInWithoutTheRole_NavigationGetsA403Page_FetchA403ProblemNamingTheRoles()
    {
        var (gateway, client) = Start(new()
        {
            ["ReverseProxy:Routes:settings:ClusterId"] = "frontend",
            ["ReverseProxy:Routes:settings:AuthorizationPolicy"] = "admin",
            ["ReverseProxy:Routes:settings:Match:Path"] = "/dashboard/settings",
        });
        var cookie = await SignInAsync(gateway, client, "rita@test.local");

        using var page = await client.SendAsync(Navigate("/dashboard/settings", cookie));
        var html = await page.Content.ReadAsStringAsync();
        using var fetch = new HttpRequestMessage(HttpMethod.Get, "/dashboard/settings");
        fetch.Headers.Add("Cookie", cookie);
        using var api = await client.SendAsync(fetch);

        Assert.Equal(HttpStatusCode.Forbidden, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("id=\"forbidden\"", html, StringComparison.Ordinal);
        Assert.Contains("rita (rita@test.local)", html, StringComparison.Ordinal);
        Assert.Contains("<strong>admin</strong>", html, StringComparison.Ordinal);
        var problem = await ProblemAssert.IsProblemAsync(api, HttpStatusCode.Forbidden);
        Assert.Equal("This needs one of the roles: admin.", problem.GetProperty("detail").GetString());
        Assert.Empty(_frontend.Requests);
    }

    [Fact]
    public async Task StaticAssets_OpenToAnyone_EverythingElseOfTheFrontendClosed()
    {
        var (_, client) = Start();

        using var asset = await client.GetAsync("/_next/static/chunks/app.js");
        using var icon = await client.GetAsync("/favicon.ico");
        using var page = await client.GetAsync("/_next/data/build/dashboard.json");

        Assert.Equal(HttpStatusCode.OK, asset.StatusCode);
        Assert.Equal(HttpStatusCode.OK, icon.StatusCode);
        await ProblemAssert.IsProblemAsync(page, HttpStatusCode.Unauthorized);
        Assert.Equal(["/_next/static/chunks/app.js", "/favicon.ico"], _frontend.Requests.Select(r => r.Target));
        Assert.All(_frontend.Requests, r => Assert.Null(r.Header("X-Forwarded-User")));
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("10.9.9.9", false)]
    public async Task ForwardedProto_FromTrustedProxyOnly_SecureCookie_HttpsOriginAccepted(string trusted, bool believed)
    {
        var (gateway, client) = Start(new() { ["Geo:TrustedProxies:0"] = trusted });
        var origin = "https://" + gateway.Address.Authority;

        using var signIn = new HttpRequestMessage(HttpMethod.Post, "/auth/login")
        {
            Content = new FormUrlEncodedContent([new("identifier", "rita@test.local"), new("password", Password), new("returnUrl", "/dashboard")]),
        };
        signIn.Headers.Add("Origin", origin);
        signIn.Headers.Add("X-Forwarded-Proto", "https");
        signIn.Headers.Add("X-Forwarded-For", "203.0.113.7");
        using var response = await client.SendAsync(signIn);

        if (believed)
        {
            Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
            var setCookie = response.Headers.GetValues("Set-Cookie").Single();
            Assert.Contains("secure", setCookie, StringComparison.OrdinalIgnoreCase);
        }
        else
        {
            // An https Origin from a client that is not the proxy is another origin than this http one.
            await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden);
            Assert.False(response.Headers.Contains("Set-Cookie"));
        }
    }

    private static HttpRequestMessage Navigate(string path, string? cookie = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Sec-Fetch-Mode", "navigate");
        request.Headers.Add("Sec-Fetch-Site", "same-origin");
        request.Headers.TryAddWithoutValidation("Accept", "text/html,application/xhtml+xml,*/*;q=0.8");
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }

        return request;
    }

    /// <summary>A form POST as a browser sends it from a page of this origin.</summary>
    private static HttpRequestMessage Form(GatewayHost gateway, string path, params (string Name, string Value)[] fields)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))),
        };
        request.Headers.Add("Origin", gateway.Address.GetLeftPart(UriPartial.Authority));
        request.Headers.Add("Sec-Fetch-Site", "same-origin");
        request.Headers.Add("Sec-Fetch-Mode", "navigate");
        return request;
    }

    private static async Task<string> SignInAsync(GatewayHost gateway, HttpClient client, string identifier)
    {
        using var response = await client.SendAsync(Form(gateway, "/auth/login", ("identifier", identifier), ("password", Password)));
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        return SessionCookie(response);
    }

    private static string SessionCookie(HttpResponseMessage response)
        => response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("gateway.session=", StringComparison.Ordinal)).Split(';')[0];

    private (GatewayHost Gateway, HttpClient Client) Start(Dictionary<string, string?>? settings = null)
    {
        var gateway = new GatewayHost(_strapi.BaseUrl, _frontend.BaseUrl, _redis.Configuration, settings, accessControl: true);
        _gateways.Add(gateway);
        return (gateway, gateway.CreateGatewayClient());
    }

    /// <summary>Strapi's users-permissions: rita (5, reader) and ada (9, admin) with <see cref="Password"/>; an empty list for anything else.</summary>
    private async Task StrapiAsync(HttpContext context)
    {
        var path = context.Request.Path.Value;
        context.Response.ContentType = "application/json";
        if (path == "/api/auth/local")
        {
            // The stand-in has read the body already: it is the request it recorded last.
            using var body = System.Text.Json.JsonDocument.Parse(_strapi.Requests.Last().Body);
            var identifier = body.RootElement.GetProperty("identifier").GetString();
            var id = identifier switch { "rita@test.local" => 5, "ada@test.local" => 9, _ => 0 };
            if (id == 0 || body.RootElement.GetProperty("password").GetString() != Password)
            {
                context.Response.StatusCode = 400;
                await context.Response.WriteAsync("""{"data":null,"error":{"status":400,"name":"ValidationError","message":"Invalid identifier or password"}}""");
                return;
            }

            await context.Response.WriteAsync($$$"""{"jwt":"not-kept","user":{"id":{{{id}}}}}""");
            return;
        }

        if (path is "/api/users/5" or "/api/users/9")
        {
            var (name, role) = path.EndsWith('5') ? ("rita", "reader") : ("ada", "admin");
            await context.Response.WriteAsync($$$"""{"id":{{{path[^1]}}},"username":"{{{name}}}","email":"{{{name}}}@test.local","blocked":false,"role":{"type":"{{{role}}}","name":"{{{role}}}"}}""");
            return;
        }

        await context.Response.WriteAsync("""{"data":[],"meta":{"pagination":{"page":1,"pageSize":25,"pageCount":0,"total":0}}}""");
    }
}

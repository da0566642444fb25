using System.Net;
using Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;

namespace Gateway.Tests.EndToEnd;

/// <summary>
/// Issue 23 without a browser: every path to the dashboard is behind the lock (a browser navigation is sent to the
/// sign-in page, anything else gets the 401 problem, the frontend sees nothing), its static assets are open, sign-in
/// only ever returns to a path on this origin, and who is signed in reaches the frontend only from the gateway.
/// </summary>
[Collection(StrapiCollection.Name)]
public sealed class DashboardLockTests(StrapiStack stack)
{
    /// <summary>What a browser sends for a navigation: <c>Sec-Fetch-Mode</c> and an Accept that prefers HTML.</summary>
    private const string HtmlAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

    public static TheoryData<string> FrontendPaths => ["/", "/dashboard", "/dashboard/invoices", "/x/y?z", "/dashboard/invoices?page=2&query=a%20b"];

    [Theory]
    [MemberData(nameof(FrontendPaths))]
    public async Task Anonymous_Navigation302ToSignInWithReturnUrl_Otherwise401_FrontendReceivesNothing(string path)
    {
        await using var dashboard = await DashboardGateway.StartAsync(stack);

        using var navigate = await dashboard.Client.SendAsync(Get(path, ("Sec-Fetch-Mode", "navigate"), ("Accept", HtmlAccept)));
        using var htmlOnly = await dashboard.Client.SendAsync(Get(path, ("Accept", HtmlAccept)));
        using var fetch = await dashboard.Client.SendAsync(Get(path, ("Sec-Fetch-Mode", "cors"), ("Accept", "*/*")));
        using var script = await dashboard.Client.SendAsync(Get(path, ("Accept", "application/json")));

        foreach (var response in new[] { navigate, htmlOnly })
        {
            Assert.Equal(HttpStatusCode.Found, response.StatusCode);
            var location = response.Headers.Location!;
            Assert.False(location.IsAbsoluteUri && location.Host != dashboard.Host.Address.Host, $"{location}");
            var target = new Uri(dashboard.Host.Address, location);
            Assert.Equal("/auth/login", target.AbsolutePath);
            // The way back; "/" is where the sign-in page goes without one.
            var returnUrl = QueryHelpers.ParseQuery(target.Query).TryGetValue("returnUrl", out var value) ? Assert.Single(value) : "/";
            Assert.Equal(path, returnUrl);
        }

        await ProblemAssert.IsProblemAsync(fetch, HttpStatusCode.Unauthorized);
        await ProblemAssert.IsProblemAsync(script, HttpStatusCode.Unauthorized);
        Assert.Empty(await dashboard.Frontend.RequestsAsync());
    }

    [Theory]
    [InlineData("/_next/static/x.js")]
    [InlineData("/_next/static/app.js")]
    [InlineData("/favicon.ico")]
    public async Task Anonymous_StaticAssets_ReachTheFrontend(string path)
    {
        await using var dashboard = await DashboardGateway.StartAsync(stack);

        using var response = await dashboard.Client.SendAsync(Get(path, ("Sec-Fetch-Mode", "no-cors"), ("Accept", "*/*")));

        Assert.NotEqual(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.NotEqual(HttpStatusCode.Found, response.StatusCode);
        var request = Assert.Single(await dashboard.Frontend.RequestsAsync());
        Assert.Equal(path, request.Target);
    }

    /// <summary>returnUrl values that must never lead off this origin; posted as a form with the right password.</summary>
    public static TheoryData<string> HostileReturnUrls => new()
    {
        "//evil.com",
        "//evil.com/dashboard",
        "/\\evil.com",
        "\\\\evil.com",
        "https://evil.com",
        "http://evil.com/dashboard",
        "javascript:alert(1)",
        "/%2F%2Fevil.com",
        "/%2f/evil.com",
        "%2F%2Fevil.com",
        "/%252F%252Fevil.com",
        "/%5Cevil.com",
        "/%255Cevil.com",
        "\t/x",
        "/\t/evil.com",
        "/x\r\nSet-Cookie:a=b",
        " //evil.com",
        "/é",
        "/" + new string('a', 10_000),
        "",
    };

    [Theory]
    [MemberData(nameof(HostileReturnUrls))]
    public async Task FormSignIn_HostileReturnUrl_LandsOnALocalPath(string returnUrl)
    {
        await using var dashboard = await DashboardGateway.StartAsync(stack);

        using var response = await dashboard.Client.SendAsync(FormSignIn(dashboard, StrapiServer.ReaderEmail, StrapiServer.ReaderPassword, returnUrl));

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        var location = response.Headers.GetValues("Location").Single();
        Assert.StartsWith("/", location, StringComparison.Ordinal);
        Assert.False(location.StartsWith("//", StringComparison.Ordinal) || location.StartsWith("/\\", StringComparison.Ordinal), location);
        Assert.DoesNotContain(location, c => char.IsControl(c) || c == '\\');
        var landing = new Uri(dashboard.Host.Address, location);
        Assert.Equal(dashboard.Host.Address.Authority, landing.Authority);
        Assert.DoesNotContain("evil.com", landing.Authority, StringComparison.Ordinal);
        Assert.Single(response.Headers.GetValues("Set-Cookie"));
    }

    [Theory]
    [InlineData("/dashboard/invoices")]
    [InlineData("/dashboard/invoices?page=2&query=a%20b")]
    [InlineData("/api/v2/invoices/en-us/csv")]
    public async Task FormSignIn_LocalReturnUrl_303ThereWithTheSessionCookie(string returnUrl)
    {
        await using var dashboard = await DashboardGateway.StartAsync(stack);

        using var response = await dashboard.Client.SendAsync(FormSignIn(dashboard, StrapiServer.ReaderEmail, StrapiServer.ReaderPassword, returnUrl));

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal(returnUrl, response.Headers.GetValues("Location").Single());
        var cookie = response.Headers.GetValues("Set-Cookie").Single();
        using var page = await dashboard.Client.SendAsync(Get(returnUrl, ("Cookie", cookie.Split(';')[0])));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    [Fact]
    public async Task FormSignIn_FromAnotherOrigin_403NoCookie()
    {
        await using var dashboard = await DashboardGateway.StartAsync(stack);
        using var request = FormSignIn(dashboard, StrapiServer.ReaderEmail, StrapiServer.ReaderPassword, "/dashboard");
        request.Headers.Remove("Origin");
        request.Headers.Add("Origin", "https://evil.example.net");
        request.Headers.Add("Sec-Fetch-Site", "cross-site");

        using var response = await dashboard.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task ForgedIdentityHeaders_NeverReachTheFrontend_SignedInOrNot()
    {
        await using var dashboard = await DashboardGateway.StartAsync(stack);
        var cookie = await dashboard.SignInAsync(StrapiServer.ReaderEmail, StrapiServer.ReaderPassword);
        (string, string)[] forged = [("X-Forwarded-User", "admin"), ("X-Forwarded-Email", "admin@demo.local"), ("X-Forwarded-Roles", "admin")];

        using var anonymous = await dashboard.Client.SendAsync(Get("/_next/static/app.js", forged));
        using var signedIn = await dashboard.Client.SendAsync(Get("/dashboard/invoices", [.. forged, ("Cookie", cookie)]));

        Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        var requests = await dashboard.Frontend.RequestsAsync();
        var asset = Assert.Single(requests, r => r.Target == "/_next/static/app.js");
        Assert.Null(asset.Header("X-Forwarded-User"));
        Assert.Null(asset.Header("X-Forwarded-Email"));
        Assert.Null(asset.Header("X-Forwarded-Roles"));
        var page = Assert.Single(requests, r => r.Target == "/dashboard/invoices");
        Assert.Equal("reader", page.Header("X-Forwarded-User"));
        Assert.Equal(StrapiServer.ReaderEmail, page.Header("X-Forwarded-Email"));
        Assert.Equal("reader", page.Header("X-Forwarded-Roles"));
        Assert.Null(page.Header("Cookie"));
        Assert.Contains("reader@demo.local", await signedIn.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static HttpRequestMessage Get(string path, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }

    /// <summary>The sign-in page's form as a browser posts it from the gateway's own origin.</summary>
    private static HttpRequestMessage FormSignIn(DashboardGateway dashboard, string identifier, string password, string returnUrl)
    {
        var request = DashboardGateway.FormSignIn(dashboard.Origin, identifier, password, returnUrl);
        request.Headers.Add("Sec-Fetch-Site", "same-origin");
        request.Headers.Add("Sec-Fetch-Mode", "navigate");
        return request;
    }
}

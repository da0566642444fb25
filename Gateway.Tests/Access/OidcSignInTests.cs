using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Access;

/// <summary>
/// Browser sign-in through a real OpenID Connect provider (code + PKCE) ending in the gateway's session cookie, and
/// the provider's JWT access tokens as bearer: roles from the provider's claim decide what each caller may do.
/// </summary>
public sealed class OidcSignInTests(OidcStack stack) : IClassFixture<OidcStack>
{
    private const string List = "/api/v2/invoices/en-us";

    [Fact]
    public async Task CodeFlow_SessionCookieShowsTheProvidersUserRolesAndSource()
    {
        using var browser = new OidcBrowser();

        using var me = await browser.SignInAsync(new Uri(stack.Gateway.Address, "/auth/login/oidc?returnUrl=/auth/me"), "alice");

        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Equal(new Uri(stack.Gateway.Address, "/auth/me"), me.RequestMessage!.RequestUri);
        using var body = JsonDocument.Parse(await me.Content.ReadAsStringAsync());
        Assert.Equal("alice@example.test", body.RootElement.GetProperty("email").GetString());
        Assert.Equal("Alice Editor", body.RootElement.GetProperty("name").GetString());
        Assert.Equal(["editor"], body.RootElement.GetProperty("roles").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("oidc", body.RootElement.GetProperty("source").GetString());

        // The way went through the provider, its login form, and back to the gateway's callback with a code.
        Assert.Contains(browser.Visited, url => url.Port == stack.Provider.BaseUrl.Port && url.AbsolutePath.StartsWith("/interaction/", StringComparison.Ordinal));
        var callback = Assert.Single(browser.Visited, url => url.Port == stack.Gateway.Address.Port && url.AbsolutePath == "/signin-oidc");
        Assert.Contains("code=", callback.Query, StringComparison.Ordinal);

        // The handler's own per-sign-in lines stay below the configured level, like the stock handler's.
        Assert.DoesNotContain(stack.Gateway.ConfiguredLogs.Lines, l => l.StartsWith("Information Gateway.Access.OidcSignInHandler", StringComparison.Ordinal));

        // PKCE: the provider refuses any authorization request without it (OidcProviderTests), so getting here proves it.
        // The challenge itself is not in the browser's URL: the gateway pushes the request (PAR) when the provider offers it.
    }

    [Fact]
    public async Task CodeFlow_SessionCookieHoldsNoTokens()
    {
        using var browser = new OidcBrowser();

        using var me = await browser.SignInAsync(new Uri(stack.Gateway.Address, "/auth/login/oidc?returnUrl=/auth/me"), "alice");

        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        var cookies = browser.Cookies.GetCookies(stack.Gateway.Address).Where(c => c.Name.StartsWith("gateway.session", StringComparison.Ordinal)).ToList();
        var session = Assert.Single(cookies);
        Assert.True(session.HttpOnly);

        // The claims alone seal to well under a kilobyte; with the ID token (or access token) kept it would be over.
        Assert.InRange(session.Value.Length, 1, 1000);
    }

    [Fact]
    public async Task CodeFlow_ReaderReadsButMayNotWrite()
    {
        using var browser = await SignedInAsync("bob");
        var reads = stack.Strapi.Requests.Count;

        using var list = await browser.SendAsync(HttpMethod.Get, new Uri(stack.Gateway.Address, List), content: null);
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal(reads + 1, stack.Strapi.Requests.Count);

        using var write = await browser.SendAsync(HttpMethod.Post, new Uri(stack.Gateway.Address, List), SameOriginJson());
        await ProblemAssert.IsProblemAsync(write, HttpStatusCode.Forbidden);
        Assert.Equal(reads + 1, stack.Strapi.Requests.Count);
    }

    [Fact]
    public async Task CodeFlow_EditorWrites()
    {
        using var browser = await SignedInAsync("alice");

        using var write = await browser.SendAsync(HttpMethod.Post, new Uri(stack.Gateway.Address, List), SameOriginJson());

        Assert.Equal(HttpStatusCode.OK, write.StatusCode);
        Assert.Contains(stack.Strapi.Requests, r => r.Method == "POST" && r.Body.Contains("oidc-editor", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CodeFlow_UserWithoutRole_403()
    {
        using var browser = await SignedInAsync("carol");
        var before = stack.Strapi.Requests.Count;

        using var list = await browser.SendAsync(HttpMethod.Get, new Uri(stack.Gateway.Address, List), content: null);

        await ProblemAssert.IsProblemAsync(list, HttpStatusCode.Forbidden);
        Assert.Equal(before, stack.Strapi.Requests.Count);
    }

    [Fact]
    public async Task ForgedCallback_401ProblemNoCookie()
    {
        using var browser = new OidcBrowser();

        using var response = await browser.SendAsync(HttpMethod.Get, new Uri(stack.Gateway.Address, "/signin-oidc?code=forged&state=forged"), content: null);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.DoesNotContain(browser.Cookies.GetCookies(stack.Gateway.Address), c => c.Name.StartsWith("gateway.session", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bearer_ClientCredentialsToken_ReadsWithItsRole()
    {
        var token = await stack.Provider.ClientCredentialsTokenAsync();
        var before = stack.Strapi.Requests.Count;

        using var list = await SendAsync(HttpMethod.Get, List, token);
        using var write = await SendAsync(HttpMethod.Post, List, token, new StringContent("""{"amount":1}""", Encoding.UTF8, "application/json"));
        using var me = await SendAsync(HttpMethod.Get, "/auth/me", token);

        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal(before + 1, stack.Strapi.Requests.Count);
        Assert.NotEqual($"Bearer {token}", stack.Strapi.Requests.Last().Header("Authorization"));
        await ProblemAssert.IsProblemAsync(write, HttpStatusCode.Forbidden);
        using var body = JsonDocument.Parse(await me.Content.ReadAsStringAsync());
        Assert.Equal(["reader"], body.RootElement.GetProperty("roles").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("oidc", body.RootElement.GetProperty("source").GetString());
    }

    [Fact]
    public async Task Bearer_TokenForAnotherAudience_401WithWwwAuthenticate()
    {
        var token = await stack.Provider.ClientCredentialsTokenAsync(OidcProvider.OtherAudience);

        await AssertRefusedAsync(token, "wrong audience");
    }

    [Fact]
    public async Task Bearer_ExpiredToken_401WithWwwAuthenticate()
    {
        var token = await stack.Provider.ClientCredentialsTokenAsync(shortLived: true);
        using (var fresh = await SendAsync(HttpMethod.Get, List, token))
        {
            // Accepted while it lives (unless the machine was slow enough for it to expire already).
            Assert.True(fresh.StatusCode is HttpStatusCode.OK or HttpStatusCode.Unauthorized);
        }

        await Task.Delay(TimeSpan.FromSeconds(3));

        await AssertRefusedAsync(token, "expired");
    }

    [Fact]
    public async Task Bearer_SignedByAnotherKeyWithTheSameIssuer_401()
    {
        // A second provider claiming the first one's issuer: same iss and aud, its own signing key.
        await using var impostor = await OidcProvider.StartAsync(new OidcProviderSettings { Issuer = stack.Provider.Issuer });
        var token = await impostor.ClientCredentialsTokenAsync();

        await AssertRefusedAsync(token, "unknown signing key");
    }

    [Fact]
    public async Task Bearer_Refused_LoggedOncePerReasonWithoutTokenOrStackTrace()
    {
        var first = await stack.Provider.ClientCredentialsTokenAsync(OidcProvider.OtherAudience);
        var second = await stack.Provider.ClientCredentialsTokenAsync(OidcProvider.OtherAudience);

        using (await SendAsync(HttpMethod.Get, List, first))
        using (await SendAsync(HttpMethod.Get, List, second))
        {
        }

        var lines = stack.Gateway.Logs.Lines.Where(l => l.Contains("bearer token refused: wrong audience", StringComparison.Ordinal)).ToList();
        Assert.Single(lines, l => l.StartsWith("Information ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Debug ", StringComparison.Ordinal));
        Assert.DoesNotContain(stack.Gateway.Logs.Lines, l => l.Contains(first, StringComparison.Ordinal) || l.Contains(second, StringComparison.Ordinal));
        Assert.DoesNotContain(stack.Gateway.ConfiguredLogs.Lines, l => l.Contains("   at ", StringComparison.Ordinal));
    }

    /// <summary>A browser signed in through the provider as <paramref name="user"/>.</summary>
    [Fact]
    public async Task SignInPage_ProviderButton_StartsTheCodeFlow_BackOnReturnUrl()
    {
        using var page = await stack.Client.GetAsync("/auth/login?returnUrl=/auth/me");
        var html = await page.Content.ReadAsStringAsync();
        var button = System.Text.RegularExpressions.Regex.Match(html, "<a id=\"oidc\"[^>]*href=\"(?<href>[^\"]+)\"[^>]*>(?<text>[^<]+)</a>");
        Assert.True(button.Success, html);
        Assert.Equal("Sign in with single sign-on", button.Groups["text"].Value);

        using var browser = new OidcBrowser();
        using var me = await browser.SignInAsync(new Uri(stack.Gateway.Address, System.Net.WebUtility.HtmlDecode(button.Groups["href"].Value)), "alice");

        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Equal(new Uri(stack.Gateway.Address, "/auth/me"), me.RequestMessage!.RequestUri);
    }

    [Theory]
    [InlineData("/caf\u00e9")]
    [InlineData("//evil.test")]
    [InlineData("https://evil.test/")]
    public async Task CodeFlow_ReturnUrlThatIsNoLocalPath_LandsOnHome_Never500(string returnUrl)
    {
        using var browser = new OidcBrowser();

        using var landed = await browser.SignInAsync(new Uri(stack.Gateway.Address, "/auth/login/oidc?returnUrl=" + Uri.EscapeDataString(returnUrl)), "alice");

        Assert.Equal(new Uri(stack.Gateway.Address, "/"), landed.RequestMessage!.RequestUri);
        Assert.True(browser.Visited.All(url => url.Port == stack.Gateway.Address.Port || url.Port == stack.Provider.BaseUrl.Port));
    }

    [Fact]
    public async Task FrontChannelSignOut_PlainGet_DoesNotEndTheSession()
    {
        using var browser = await SignedInAsync("alice");

        using var signOut = await browser.SendAsync(HttpMethod.Get, new Uri(stack.Gateway.Address, "/signout-oidc"), content: null);
        using var me = await browser.SendAsync(HttpMethod.Get, new Uri(stack.Gateway.Address, "/auth/me"), content: null);

        Assert.False(signOut.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("gateway.session=;", StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
    }

    private async Task<OidcBrowser> SignedInAsync(string user)
    {
        var browser = new OidcBrowser();
        using var me = await browser.SignInAsync(new Uri(stack.Gateway.Address, "/auth/login/oidc?returnUrl=/auth/me"), user);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        return browser;
    }

    private async Task AssertRefusedAsync(string token, string reason)
    {
        var before = stack.Strapi.Requests.Count;

        using var response = await SendAsync(HttpMethod.Get, List, token);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Contains("invalid_token", challenge.Parameter, StringComparison.Ordinal);
        Assert.Equal(before, stack.Strapi.Requests.Count);
        Assert.Contains(stack.Gateway.Logs.Lines, l => l.Contains($"bearer token refused: {reason}", StringComparison.Ordinal));
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string token, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await stack.Client.SendAsync(request);
    }

    private static StringContent SameOriginJson() => new("""{"note":"oidc-editor"}""", Encoding.UTF8, "application/json");
}

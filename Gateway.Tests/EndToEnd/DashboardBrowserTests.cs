using System.Net;
using System.Net.Http.Json;
using Gateway.Tests.Access;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.EndToEnd;

/// <summary>
/// Issue 23 in a real browser (Debian's headless chromium, testing/browser/dashboard-*.mjs): the dashboard (the
/// frontend stand-in, rendering from the real Strapi) behind the gateway's lock, with a real Redis, signed into by a
/// person with the keyboard, through the OpenID Connect provider, and over https:// behind nginx.
/// </summary>
[Collection(StrapiCollection.Name)]
public sealed class DashboardBrowserTests(StrapiStack stack)
{
    [Fact]
    public async Task SignInWithKeyboard_BackOnTheInvoices_CsvDownloadsEveryInvoice()
    {
        await using var dashboard = await DashboardGateway.StartAsync(stack);
        var total = (await stack.Direct.GetJsonAsync("/api/invoices")).Pagination().Int("total");

        await BrowserScript.AssertPassesAsync("dashboard-signin.mjs", new Dictionary<string, string>
        {
            ["BASE_URL"] = dashboard.Origin,
            ["IDENTIFIER"] = StrapiServer.ReaderEmail,
            ["PASSWORD"] = StrapiServer.ReaderPassword,
            ["USER_NAME"] = "reader",
            ["INVOICE_TOTAL"] = total.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

        // Only the signed-in page reached the frontend, with who the gateway says it is; the signed-out tries did not.
        var pages = (await dashboard.Frontend.RequestsAsync()).Where(r => !r.Target.StartsWith("/_next/static/", StringComparison.Ordinal) && r.Target != "/favicon.ico").ToList();
        var page = Assert.Single(pages);
        Assert.Equal("/dashboard/invoices", page.Target);
        Assert.Equal(StrapiServer.ReaderEmail, page.Header("X-Forwarded-Email"));
        Assert.Equal("reader", page.Header("X-Forwarded-Roles"));
    }

    [Fact]
    public async Task WrongPassword_LockOut_Forbidden_SignOut_AsAPersonSeesThem()
    {
        await using var dashboard = await DashboardGateway.StartAsync(stack, new Dictionary<string, string?>
        {
            // The operator makes the settings page admin-only with a route of its own.
            ["ReverseProxy:Routes:dashboard-settings:ClusterId"] = "frontend",
            ["ReverseProxy:Routes:dashboard-settings:AuthorizationPolicy"] = "admin",
            ["ReverseProxy:Routes:dashboard-settings:Match:Path"] = "/dashboard/settings",
        });

        await BrowserScript.AssertPassesAsync("dashboard-refusals.mjs", new Dictionary<string, string>
        {
            ["BASE_URL"] = dashboard.Origin,
            ["IDENTIFIER"] = StrapiServer.ReaderEmail,
            ["PASSWORD"] = StrapiServer.ReaderPassword,
            ["LOCKED_IDENTIFIER"] = StrapiServer.EditorEmail,
            ["LOCKED_PASSWORD"] = StrapiServer.EditorPassword,
        });

        Assert.DoesNotContain(await dashboard.Frontend.RequestsAsync(), r => r.Target.StartsWith("/dashboard/settings", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OidcButton_CodeFlowThroughTheProvidersForms_BackOnReturnUrl()
    {
        const string DisplayName = "Test Provider";
        var providerPort = FreePort.Next();
        var authority = $"http://127.0.0.1:{providerPort}";
        var settings = OidcStack.OidcSettings(authority);
        settings["Access:Oidc:DisplayName"] = DisplayName;
        await using var dashboard = await DashboardGateway.StartAsync(stack, settings, host => host.EarlySettings["Access:Oidc:Authority"] = authority);
        await using var provider = await OidcProvider.StartAsync(new OidcProviderSettings { Port = providerPort, GatewayBaseUrls = [dashboard.Host.Address] });

        await BrowserScript.AssertPassesAsync("dashboard-oidc.mjs", new Dictionary<string, string>
        {
            ["BASE_URL"] = dashboard.Origin,
            ["PROVIDER_URL"] = authority,
            ["DISPLAY_NAME"] = DisplayName,
            ["OIDC_LOGIN"] = "bob",
            ["USER_NAME"] = "Bob Reader",
        });

        var page = Assert.Single(await dashboard.Frontend.RequestsAsync(), r => r.Target == "/dashboard/invoices");
        Assert.Equal("bob@example.test", page.Header("X-Forwarded-Email"));
        Assert.Equal("reader", page.Header("X-Forwarded-Roles"));
    }

    [Fact]
    public async Task BehindTlsProxy_SignInEditSignOut_OverHttps_SecureCookie()
    {
        await using var dashboard = await DashboardGateway.StartAsync(stack, TrustsOnlyTheProxy);
        await using var proxy = await TlsProxy.StartAsync(dashboard.Host.Address);
        var (documentId, amount) = await CreateInvoiceAsync();
        try
        {
            await BrowserScript.AssertPassesAsync("dashboard-tls.mjs", new Dictionary<string, string>
            {
                ["BASE_URL"] = proxy.BaseUrl.GetLeftPart(UriPartial.Authority),
                ["IDENTIFIER"] = StrapiServer.EditorEmail,
                ["PASSWORD"] = StrapiServer.EditorPassword,
                ["DOCUMENT_ID"] = documentId,
                ["AMOUNT"] = (amount + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
            });

            var stored = await stack.Direct.GetJsonAsync($"/api/invoices/{documentId}");
            Assert.Equal(amount + 1, stored.GetProperty("data").Int("amount"));
        }
        finally
        {
            using var _ = await stack.Direct.DeleteAsync($"/api/invoices/{documentId}");
        }
    }

    [Fact]
    public async Task ForwardedProtoFromAnUntrustedClient_ChangesNothing()
    {
        await using var dashboard = await DashboardGateway.StartAsync(stack, TrustsOnlyTheProxy);
        await using var proxy = await TlsProxy.StartAsync(dashboard.Host.Address);
        var httpsOrigin = $"https://{dashboard.Host.Address.Authority}";

        // Directly from 127.0.0.1, claiming https: the cookie is not Secure, and the https origin is another site.
        using var direct = await JsonSignInAsync(dashboard.Client, ("X-Forwarded-Proto", "https"));
        Assert.DoesNotContain("secure", SetCookie(direct), StringComparison.OrdinalIgnoreCase);
        using var claimed = await dashboard.Client.SendAsync(FormSignIn(httpsOrigin, ("X-Forwarded-Proto", "https")));
        Assert.Equal(HttpStatusCode.Forbidden, claimed.StatusCode);
        Assert.False(claimed.Headers.Contains("Set-Cookie"));

        // The same requests through the trusted proxy: a Secure cookie, the https origin is this one.
        using var client = proxy.CreateClient();
        using var proxied = await JsonSignInAsync(client);
        Assert.Contains("secure", SetCookie(proxied), StringComparison.OrdinalIgnoreCase);
        using var proxiedForm = await client.SendAsync(FormSignIn(proxy.BaseUrl.GetLeftPart(UriPartial.Authority)));
        Assert.Equal(HttpStatusCode.SeeOther, proxiedForm.StatusCode);

        // And directly with the gateway's real origin: accepted, so the refusal above was the claimed scheme's doing.
        using var plain = await dashboard.Client.SendAsync(FormSignIn(dashboard.Origin));
        Assert.Equal(HttpStatusCode.SeeOther, plain.StatusCode);
    }

    [Fact]
    public async Task RedirectAdminPage_SignInFromItsLink_AdminManagesTable_SignsOut_ReaderRefused()
    {
        await using var dashboard = await DashboardGateway.StartAsync(stack);

        // Without a session or a key the admin API is shut: what the page lists below, it lists for the session.
        using (var anonymous = await dashboard.Client.GetAsync("/api/redirects"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        await BrowserScript.AssertPassesAsync("admin-signin.mjs", new Dictionary<string, string>
        {
            ["BASE_URL"] = dashboard.Origin,
            ["ADMIN_IDENTIFIER"] = StrapiServer.AdminEmail,
            ["ADMIN_PASSWORD"] = StrapiServer.AdminPassword,
            ["READER_IDENTIFIER"] = StrapiServer.ReaderEmail,
            ["READER_PASSWORD"] = StrapiServer.ReaderPassword,
        });

        // The entry the admin added and deleted in the browser is gone from the table itself, not only from the page.
        var admin = await dashboard.SignInAsync(StrapiServer.AdminEmail, StrapiServer.AdminPassword);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/redirects");
        request.Headers.Add("Cookie", admin);
        using var listed = await dashboard.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        Assert.False((await listed.JsonAsync()).TryGetProperty("/signin-old", out _));
    }

    private static readonly Dictionary<string, string?> TrustsOnlyTheProxy = new() { ["Geo:TrustedProxies:0"] = TlsProxy.ProxyAddress };

    private static string SetCookie(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        return response.Headers.GetValues("Set-Cookie").Single();
    }

    private static async Task<HttpResponseMessage> JsonSignInAsync(HttpClient client, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/auth/login")
        {
            Content = JsonContent.Create(new { identifier = StrapiServer.ReaderEmail, password = StrapiServer.ReaderPassword }),
        };
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        return await client.SendAsync(request);
    }

    private static HttpRequestMessage FormSignIn(string origin, params (string Name, string Value)[] headers)
    {
        var request = DashboardGateway.FormSignIn(origin, StrapiServer.ReaderEmail, StrapiServer.ReaderPassword, "/dashboard");
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        return request;
    }

    /// <summary>An invoice of this test's own, created in Strapi directly: its documentId and amount.</summary>
    private async Task<(string DocumentId, int Amount)> CreateInvoiceAsync()
    {
        using var response = await stack.Direct.PostAsJsonAsync("/api/invoices", new { data = new { amount = 4200, invoice_status = "pending", date = "2024-01-02" } });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var data = (await response.JsonAsync()).GetProperty("data");
        return (data.Str("documentId"), data.Int("amount"));
    }
}

using System.Net;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Redirects;

/// <summary>
/// <c>/admin/redirects</c> driven in a real headless browser (Debian's chromium through puppeteer-core, installed by
/// scripts/browser-install): testing/browser/admin-redirects.mjs sees the sign-in link offered, signs in with the key
/// (the header then says a key is in use), adds, sees it served, edits, reads hits, deletes (cancelled once at the
/// confirmation, then confirmed), imports a CSV, replaces the whole table (the same); it prints OK and exits 0 only when
/// every step passed.
/// </summary>
public sealed class RedirectAdminPageTests : RedirectTestBed
{
    [Fact]
    public async Task AdminPage_InHeadlessChromium_EveryStep()
    {
        var gateway = NewGateway(AdminKey, settings: new Dictionary<string, string?> { ["Redirects:HitFlushInterval"] = "00:00:00.200" });
        await StartGatewayAsync(gateway: gateway);

        await BrowserScript.AssertPassesAsync("admin-redirects.mjs", new Dictionary<string, string>
        {
            ["BASE_URL"] = gateway.Address.AbsoluteUri.TrimEnd('/'),
            ["ADMIN_KEY"] = AdminKey,
        });
    }

    [Fact]
    public async Task AdminPage_StrictPolicy_NotTheFrontend()
    {
        var client = await StartGatewayAsync(AdminKey);

        using var page = await client.GetAsync("/admin/redirects");
        using var script = await client.GetAsync("/admin/redirects/redirects.js");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("default-src 'none'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Contains("<script src=\"/admin/redirects/redirects.js\"", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.Empty(_frontend.Requests);
    }
}

using System.Diagnostics;
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

        var (code, output, error) = await RunBrowserScriptAsync(gateway.Address, "admin-redirects.mjs");

        Assert.True(code == 0 && output.TrimEnd().EndsWith("OK", StringComparison.Ordinal), $"exit {code}\n{output}\n{error}");
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

    private static async Task<(int Code, string Output, string Error)> RunBrowserScriptAsync(Uri gateway, string script)
    {
        var directory = RepositoryPaths.File("testing/browser");
        Assert.True(Directory.Exists(Path.Combine(directory, "node_modules", "puppeteer-core")) && File.Exists("/usr/bin/chromium"),
            "puppeteer-core or chromium is missing: run scripts/browser-install (./test does).");
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment = { ["BASE_URL"] = gateway.AbsoluteUri.TrimEnd('/'), ["ADMIN_KEY"] = AdminKey },
        };
        start.ArgumentList.Add(script);
        using var process = ChildProcesses.Track(Process.Start(start)!);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }
}

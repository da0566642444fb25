using System.Diagnostics;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// Runs a puppeteer script of testing/browser (Debian's headless chromium through puppeteer-core, both installed by
/// scripts/browser-install): each prints its steps, and OK with exit code 0 only when every step passed.
/// </summary>
internal static class BrowserScript
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    /// <summary>Runs <paramref name="script"/> with <paramref name="environment"/>; fails the test with its output unless it passed.</summary>
    public static async Task AssertPassesAsync(string script, IReadOnlyDictionary<string, string> environment)
    {
        var (code, output, error) = await RunAsync(script, environment);
        Assert.True(code == 0 && output.TrimEnd().EndsWith("OK", StringComparison.Ordinal), $"{script}: exit {code}\n{output}\n{error}");
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(string script, IReadOnlyDictionary<string, string> environment)
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
        };
        start.ArgumentList.Add(script);
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = ChildProcesses.Track(Process.Start(start)!);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }
}

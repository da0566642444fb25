using System.Diagnostics;
using Gateway.Redirects;
using Gateway.Tests.Infrastructure;
using StackExchange.Redis;

namespace Gateway.Tests.Redirects;

/// <summary><c>redirects import|list|set|remove</c>, against a real Redis.</summary>
public sealed class RedirectsCommandTests : IAsyncLifetime
{
    private const string Prefix = "gateway:redirect:";
    private readonly string _directory = Directory.CreateTempSubdirectory("redirects-cli-").FullName;
    private RedisServer _redis = null!;
    private ConnectionMultiplexer _ops = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _ops = await ConnectionMultiplexer.ConnectAsync(_redis.Configuration);
    }

    public async Task DisposeAsync()
    {
        await _ops.DisposeAsync();
        await _redis.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Process_ImportTheRepositorySeed_ThenList()
    {
        var (import, importOut, importErr) = await RunProcessAsync("redirects", "import", RepositoryPaths.File("redirects.json"));
        var (list, listOut, _) = await RunProcessAsync("redirects", "list");

        Assert.True(import == 0, importErr);
        Assert.Contains("imported 3 entries", importOut, StringComparison.Ordinal);
        Assert.Equal("""{"destination":"/api/v2/revenues/en-us","permanent":false}""", await _ops.GetDatabase().StringGetAsync(Prefix + "/api/v1/revenues"));
        Assert.Equal(0, list);
        Assert.Contains("/api/v1/revenues/fr -> /api/v2/revenues/en-us (308)", listOut, StringComparison.Ordinal);
        Assert.Contains("3 entries", listOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Process_RedisUnreachable_ClearErrorExit1()
    {
        await _redis.StopAsync();

        var (code, _, error) = await RunProcessAsync("redirects", "list");

        Assert.Equal(1, code);
        Assert.Contains("not reachable", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Process_BadUsage_Exit2()
    {
        var (code, _, error) = await RunProcessAsync("redirects", "frobnicate");

        Assert.Equal(2, code);
        Assert.Contains("usage:", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportReplace_MakesRedisEqualToTheFile_DeletedEntriesLoseTheirHits_Logged()
    {
        await using var gateway = Gateway();
        await _ops.GetDatabase().StringSetAsync(Prefix + "/stale", """{"destination":"/x","permanent":false}""");
        await _ops.GetDatabase().HashSetAsync(RedirectTestBed.HitCounts, "/stale", 9);
        var file = await WriteAsync("""{ "-old-a": { "destination": "/new-a", "permanent": true }, "/old-b": { "destination": "/new-b", "permanent": false } }""");

        var (code, output, _) = await RunAsync(gateway, "redirects", "import", file, "--replace");

        Assert.Equal(0, code);
        Assert.Contains("deleted 1 others", output, StringComparison.Ordinal);
        Assert.Equal(["/old-b", "/old/a"], await KeysAsync());
        Assert.False(await _ops.GetDatabase().HashExistsAsync(RedirectTestBed.HitCounts, "/stale"));
        Assert.Contains(gateway.ConfiguredLogs.Lines, line => line.Contains(
            "Redirect table imported by cli from the command line (replace): 2 written, 1 deleted: /stale", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SetChangeRemove_LoggedAsTheEntryJson_BeforeAndAfter_RemoveDeletesHits()
    {
        await using var gateway = Gateway();
        const string by = "Redirect /cli-a changed by cli from the command line: ";

        var add = await RunAsync(gateway, "redirects", "set", "/cli-a", "/b");
        var change = await RunAsync(gateway, "redirects", "set", "/cli-a", "/c", "--status=301");
        await _ops.GetDatabase().HashSetAsync(RedirectTestBed.HitCounts, "/cli-a", 4);
        await _ops.GetDatabase().HashSetAsync(RedirectTestBed.LastHits, "/cli-a", 1_700_000_000_000);
        var remove = await RunAsync(gateway, "redirects", "remove", "/cli-a");

        Assert.Equal([0, 0, 0], [add.Code, change.Code, remove.Code]);
        Assert.False(await _ops.GetDatabase().HashExistsAsync(RedirectTestBed.HitCounts, "/cli-a"));
        Assert.False(await _ops.GetDatabase().HashExistsAsync(RedirectTestBed.LastHits, "/cli-a"));
        var lines = gateway.ConfiguredLogs.Lines.Where(line => line.Contains(by, StringComparison.Ordinal)).ToList();
        Assert.Collection(
            lines,
            line => Assert.EndsWith(by + """(none) -> {"destination":"/b","permanent":false}""", line.TrimEnd(), StringComparison.Ordinal),
            line => Assert.EndsWith(by + """{"destination":"/b","permanent":false} -> {"destination":"/c","permanent":true,"status":301}""", line.TrimEnd(), StringComparison.Ordinal),
            line => Assert.EndsWith(by + """{"destination":"/c","permanent":true,"status":301} -> (deleted)""", line.TrimEnd(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Import_AnyBadEntry_NothingWritten_EachProblemNamed()
    {
        await using var gateway = Gateway();
        var file = await WriteAsync("""
            {
              "/fine": { "destination": "/ok", "permanent": false },
              "/evil": { "destination": "https://evil.example.net/", "permanent": false },
              "/a": { "destination": "/b", "permanent": false },
              "/b": { "destination": "/a", "permanent": false }
            }
            """);

        var (code, _, error) = await RunAsync(gateway, "redirects", "import", file);

        Assert.Equal(1, code);
        Assert.Contains("/evil:", error, StringComparison.Ordinal);
        Assert.Contains("/a: part of a cycle", error, StringComparison.Ordinal);
        Assert.Empty(await KeysAsync());
    }

    [Fact]
    public async Task SetAndRemove_ValidatedLikeEveryOtherWayIn()
    {
        await using var gateway = Gateway();

        var set = await RunAsync(gateway, "redirects", "set", "-api-v1-promo", "/api/v2/invoices/en-us", "--permanent", "--drop-query");
        var self = await RunAsync(gateway, "redirects", "set", "/loop", "/loop");
        var remove = await RunAsync(gateway, "redirects", "remove", "/api/v1/promo");
        var removeAgain = await RunAsync(gateway, "redirects", "remove", "/api/v1/promo");

        Assert.Equal(0, set.Code);
        Assert.Equal(1, self.Code);
        Assert.Contains("redirects to itself", self.Error, StringComparison.Ordinal);
        Assert.Equal(0, remove.Code);
        Assert.Equal(1, removeAgain.Code);
        Assert.Empty(await KeysAsync());
    }

    [Fact]
    public async Task Set_RulesAndExpiry_StoredWithARedisTtl_ListedInWords()
    {
        await using var gateway = Gateway();

        var set = await RunAsync(gateway, "redirects", "set", "/docs", "/manual", "--status=301", "--prefix", "--ignore-case", "--expires=2h");
        var loop = await RunAsync(gateway, "redirects", "set", "/docs2", "/docs2/v2", "--prefix");
        var badStatus = await RunAsync(gateway, "redirects", "set", "/x", "/y", "--status=299");
        var badExpiry = await RunAsync(gateway, "redirects", "set", "/x", "/y", "--expires=soon");
        var list = await RunAsync(gateway, "redirects", "list");

        Assert.True(set.Code == 0, set.Error);
        var ttl = await _ops.GetDatabase().KeyTimeToLiveAsync(Prefix + "/docs");
        Assert.InRange(ttl!.Value, TimeSpan.FromMinutes(119), TimeSpan.FromHours(2));
        Assert.Contains("/docs -> /manual (301, prefix, any case, expires ", list.Output, StringComparison.Ordinal);
        Assert.Equal(1, loop.Code);
        Assert.Contains("loop", loop.Error, StringComparison.Ordinal);
        Assert.Equal(1, badStatus.Code);
        Assert.Equal(2, badExpiry.Code);
        Assert.Equal(["/docs"], await KeysAsync());
    }

    private GatewayHost Gateway() => new(new Uri("http://127.0.0.1:9/"), new Uri("http://127.0.0.1:9/"), _redis.Configuration,
        new Dictionary<string, string?> { ["Redirects:SeedFile"] = "" });

    private static async Task<(int Code, string Output, string Error)> RunAsync(GatewayHost gateway, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await RedirectsCommand.RunAsync(gateway.Services, args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private async Task<(int Code, string Output, string Error)> RunProcessAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment = { ["Redis__Configuration"] = _redis.Configuration, ["Redis__Timeout"] = "00:00:01" },
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Gateway.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }

    private async Task<string> WriteAsync(string json)
    {
        var path = Path.Combine(_directory, Guid.NewGuid().ToString("N") + ".json");
        await File.WriteAllTextAsync(path, json);
        return path;
    }

    private async Task<string[]> KeysAsync()
    {
        var server = _ops.GetServers()[0];
        var keys = new List<string>();
        await foreach (var key in server.KeysAsync(pattern: Prefix + "*"))
        {
            keys.Add(((string)key!)[Prefix.Length..]);
        }

        return [.. keys.Order(StringComparer.Ordinal)];
    }
}

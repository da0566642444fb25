using System.Net;
using System.Text;
using System.Text.Json;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Redirects;

/// <summary>Import and export through the admin API: JSON (both shapes) and CSV, all or nothing, problems named by line.</summary>
public sealed class RedirectImportExportTests : RedirectTestBed
{
    [Fact]
    public async Task CsvExport_ImportedElsewhere_SameTable()
    {
        await SetRawAsync("/docs", """{"destination":"/manual","permanent":true,"match":"prefix","keepPath":false,"caseSensitive":false}""");
        await SetRawAsync("/s303", """{"destination":"https://docs.example.com/a,b","permanent":false,"status":303,"preserveQuery":false}""");
        await SetRawAsync("/café", """{"destination":"/menu","permanent":false,"expiresAt":"2999-01-01T00:00:00+00:00"}""");
        var client = await StartGatewayAsync(gateway: NewGateway(AdminKey, settings: new Dictionary<string, string?> { ["Redirects:AllowedHosts:0"] = "docs.example.com" }));
        var before = await RawTableAsync();

        using var export = await SendAsync(client, HttpMethod.Get, "/api/redirects/export?format=csv", null, AdminKey);
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Equal("text/csv", export.Content.Headers.ContentType?.MediaType);
        var csv = await export.Content.ReadAsStringAsync();
        Assert.StartsWith("source,target,status,match,keepPath,caseSensitive,preserveQuery,expiresAt\r\n", csv, StringComparison.Ordinal);

        await _ops.GetDatabase().KeyDeleteAsync([.. before.Keys.Select(key => (StackExchange.Redis.RedisKey)(Prefix + key))]);
        using var import = await ImportAsync(client, csv, "text/csv");

        Assert.Equal(HttpStatusCode.OK, import.StatusCode);
        Assert.Contains("\"written\":" + before.Count, await import.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var after = await RawTableAsync();
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        Assert.All(before, pair => Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(System.Text.Json.Nodes.JsonNode.Parse(pair.Value), System.Text.Json.Nodes.JsonNode.Parse(after[pair.Key])), $"{pair.Value} became {after[pair.Key]}"));
        await EventuallyAsync(client, "/DOCS/x", HttpStatusCode.PermanentRedirect, Within);
    }

    [Fact]
    public async Task JsonExport_BothShapesImported()
    {
        var client = await StartGatewayAsync(AdminKey);

        using var import = await ImportAsync(client, """
            {
              "-old-original": { "destination": "/new", "permanent": true },
              "/full": { "destination": "/manual", "permanent": false, "status": 302, "match": "prefix" }
            }
            """, "application/json");
        Assert.Equal(HttpStatusCode.OK, import.StatusCode);
        await EventuallyAsync(client, "/full/x", HttpStatusCode.Found, Within);

        using var export = await SendAsync(client, HttpMethod.Get, "/api/redirects/export", null, AdminKey);
        using var document = JsonDocument.Parse(await export.Content.ReadAsStringAsync());
        Assert.Equal("prefix", document.RootElement.GetProperty("/full").GetProperty("match").GetString());
        Assert.True(document.RootElement.GetProperty("/old/original").GetProperty("permanent").GetBoolean());
        Assert.Equal("redirects.json", export.Content.Headers.ContentDisposition?.FileName);
    }

    [Fact]
    public async Task Import_ServedAndListedAtOnceByTheReplicaThatWrote_NoNotificationNeeded()
    {
        await SetRawAsync("/stale", """{"destination":"/gone","permanent":false}""");
        var client = await StartGatewayAsync(AdminKey);
        await AssertRedirectAsync(client, "/stale", HttpStatusCode.TemporaryRedirect, "/gone");

        // Notifications off (the gateway checks again only at its resync, 5 min here): what this replica serves and lists
        // right after the import can come only from the import itself, as an admin page listing at once would see it.
        await using var admin = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(_redis.Configuration + ",allowAdmin=true");
        await admin.GetServers().Single().ConfigSetAsync("notify-keyspace-events", "");
        using var import = await ImportAsync(client, "source,target,status\r\n/csv-a,/csv-b,308\r\n", "text/csv");
        using var replace = await ImportAsync(client,
            """{ "/csv-a": { "destination": "/csv-b", "permanent": true }, "/json-c": { "destination": "/json-d", "permanent": false } }""", "application/json", replace: true);

        Assert.Equal(HttpStatusCode.OK, import.StatusCode);
        Assert.Equal(HttpStatusCode.OK, replace.StatusCode);
        Assert.Contains("\"deleted\":1", await replace.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await AssertRedirectAsync(client, "/csv-a", HttpStatusCode.PermanentRedirect, "/csv-b");
        await AssertRedirectAsync(client, "/json-c", HttpStatusCode.TemporaryRedirect, "/json-d");
        using var gone = await client.GetAsync(new Uri("/stale", UriKind.Relative));
        Assert.NotEqual(HttpStatusCode.TemporaryRedirect, gone.StatusCode);
        using var list = await SendAsync(client, HttpMethod.Get, "/api/redirects", null, AdminKey);
        var keys = JsonDocument.Parse(await list.Content.ReadAsStringAsync()).RootElement.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(["/csv-a", "/json-c"], keys);
    }

    [Fact]
    public async Task BadCsv_NothingImported_EachProblemNamedByLine()
    {
        var client = await StartGatewayAsync(AdminKey);
        var csv = "source,target,status\r\n/ok,/fine,301\r\n/bad-status,/x,299\r\n\r\n/evil,https://evil.example.net/,302\r\n/ok,/again,\r\n/loop,/loop,\r\n";

        using var import = await ImportAsync(client, csv, "text/csv");

        await ProblemAssert.IsProblemAsync(import, HttpStatusCode.BadRequest);
        var errors = JsonDocument.Parse(await import.Content.ReadAsStringAsync()).RootElement.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Collection(
            errors,
            e => Assert.StartsWith("line 3: /bad-status:", e, StringComparison.Ordinal),
            e => Assert.StartsWith("line 5: /evil:", e, StringComparison.Ordinal),
            e => Assert.StartsWith("line 6: /ok: /ok is also on line 2", e, StringComparison.Ordinal),
            e => Assert.StartsWith("line 7: /loop:", e, StringComparison.Ordinal));
        Assert.False(await _ops.GetDatabase().KeyExistsAsync(Prefix + "/ok"));
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData(null)]
    public async Task Import_NotJsonOrCsv_415(string? contentType)
    {
        var client = await StartGatewayAsync(AdminKey);

        using var import = await ImportAsync(client, "/a,/b", contentType);

        await ProblemAssert.IsProblemAsync(import, HttpStatusCode.UnsupportedMediaType);
        Assert.False(await _ops.GetDatabase().KeyExistsAsync(Prefix + "/a"));
    }

    private async Task<Dictionary<string, string>> RawTableAsync()
    {
        var table = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var key in _ops.GetServers().Single().KeysAsync(pattern: Prefix + "*"))
        {
            table[((string)key!)[Prefix.Length..]] = (await _ops.GetDatabase().StringGetAsync(key))!;
        }

        return table;
    }
}

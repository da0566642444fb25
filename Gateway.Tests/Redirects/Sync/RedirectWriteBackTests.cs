using System.Net;
using Gateway.Redirects;
using Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Gateway.Tests.Redirects;

/// <summary>
/// Nothing lost when Redis loses its data: three gateways (separate hosts, each with its own DI container and Redis
/// connections) hold the table and the key ring; after FLUSHALL or a restart without persistence the one holding the
/// newest table writes it back (one writer), the seed file is not imported over the edits, and the key ring is put back
/// so a replica started afterwards makes no second one.
/// </summary>
public sealed class RedirectWriteBackTests : RedirectTestBed
{
    private const string KeyRing = "gateway:dataprotection:keys";
    private static readonly TimeSpan Restored = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task FlushAll_AfterAdminEdits_EveryEditServedAgainOnAllThree_OneWriter_SeedNotImportedAgain()
    {
        var (gateways, clients) = await StartThreeAsync();
        await EditThroughAdminApiAsync(clients);
        foreach (var client in clients)
        {
            await EditsServedAsync(client, TimeSpan.FromSeconds(5));
        }

        await FlushAllAsync();

        await AssertRestoredAsync(gateways, clients);
    }

    [Fact]
    public async Task RedisRestartedWithoutPersistence_AfterAdminEdits_EveryEditServedAgainOnAllThree_OneWriter()
    {
        var (gateways, clients) = await StartThreeAsync();
        await EditThroughAdminApiAsync(clients);
        foreach (var client in clients)
        {
            await EditsServedAsync(client, TimeSpan.FromSeconds(5));
        }

        var before = await RunIdAsync();
        await _redis.StopAsync();
        await _redis.StartAgainAsync();
        Assert.NotEqual(before, await RunIdAsync());

        await AssertRestoredAsync(gateways, clients);
    }

    [Fact]
    public async Task FlushAll_KeyRingWrittenBack_EachReplicasPayloadOpenedByEveryOther_OneStartedAfterwardsMakesNoNewKey()
    {
        var settings = new Dictionary<string, string?> { ["Access:KeyRingCheckInterval"] = "00:00:00.500" };
        var gateways = new List<GatewayHost>();
        for (var i = 0; i < 3; i++)
        {
            gateways.Add(NewGateway(AdminKey, settings: settings));
            await StartGatewayAsync(gateway: gateways[^1]);
        }

        var before = gateways.Select((g, i) => (Protector(g).Protect($"before from {i}"), $"before from {i}")).ToList();
        var ring = await KeyIdsAsync();
        Assert.NotEmpty(ring);

        await FlushAllAsync();
        var deadline = DateTime.UtcNow + Restored;
        while (await _ops.GetDatabase().ListLengthAsync(KeyRing) == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the key ring was not written back into Redis");
            await Task.Delay(50);
        }

        Assert.Equal(ring, await KeyIdsAsync());
        var late = NewGateway(AdminKey, settings: settings);
        await StartGatewayAsync(gateway: late);
        gateways.Add(late);

        var after = gateways.Select((g, i) => (Protector(g).Protect($"after from {i}"), $"after from {i}")).ToList();
        foreach (var gateway in gateways)
        {
            foreach (var (sealedText, plain) in before.Concat(after))
            {
                Assert.Equal(plain, Protector(gateway).Unprotect(sealedText));
            }
        }

        Assert.Equal(ring, await KeyIdsAsync());
        Assert.Contains(gateways[0].Logs.Lines, line => line.Contains("Creating key", StringComparison.Ordinal));
        Assert.DoesNotContain(late.Logs.Lines, line => line.Contains("Creating key", StringComparison.Ordinal));
        Assert.Equal(1, Logged(gateways, "[9361]"));
        var writer = gateways.Find(g => g.Logs.Lines.Any(line => line.Contains("[9361]", StringComparison.Ordinal)))!;
        var report = await writer.CreateGatewayClient().GetStringAsync(new Uri("/readyz", UriKind.Relative));
        Assert.Contains("written back", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartedAfterTheLoss_BeforeTheOthersNoticed_WaitsForTheirWriteBack_NeitherSeedNorNewKey()
    {
        // The two holders would notice the loss only after a minute: what brings their write-back is the new replica asking.
        var slow = new Dictionary<string, string?> { ["Redirects:LossCheckInterval"] = "00:01:00", ["Access:KeyRingCheckInterval"] = "00:01:00" };
        var holders = new List<GatewayHost> { NewGateway(AdminKey, settings: slow), NewGateway(AdminKey, settings: slow) };
        var clients = new List<HttpClient>();
        foreach (var holder in holders)
        {
            clients.Add(await StartGatewayAsync(gateway: holder));
        }

        using (var added = await PutAsync(clients[0], "%2Fadded", """{"destination":"/added-target","permanent":true}""", AdminKey))
        {
            Assert.True(added.IsSuccessStatusCode, added.StatusCode.ToString());
        }

        await EventuallyAsync(clients[1], "/added", HttpStatusCode.PermanentRedirect, TimeSpan.FromSeconds(5));
        var ring = await KeyIdsAsync();
        var sealedBefore = Protector(holders[0]).Protect("before");

        await FlushAllAsync();
        var late = NewGateway(AdminKey);
        var lateClient = await StartGatewayAsync(gateway: late);

        await AssertRedirectAsync(lateClient, "/added", HttpStatusCode.PermanentRedirect, "/added-target");
        Assert.Equal(1, Logged([.. holders, late], "[4016]")); // the seed file was imported once, at the first start
        Assert.Equal(1, Logged(holders, "[4025]"));
        Assert.Equal(ring, await KeyIdsAsync());
        Assert.DoesNotContain(late.Logs.Lines, line => line.Contains("Creating key", StringComparison.Ordinal));
        Assert.Equal("before", Protector(late).Unprotect(sealedBefore));
        Assert.Equal("late", Protector(holders[1]).Unprotect(Protector(late).Protect("late")));
    }

    [Fact]
    public async Task PeriodicCheck_ReplicaDiffersInContentWithTheSameCount_Repaired()
    {
        var gateway = NewGateway(AdminKey, resyncInterval: "00:00:00.500");
        var client = await StartGatewayAsync(gateway: gateway);
        await SetRawAsync("/a", """{"destination":"/x","permanent":true}""");
        await SetRawAsync("/b", """{"destination":"/y","permanent":true}""");
        await EventuallyAsync(client, "/a", HttpStatusCode.PermanentRedirect, TimeSpan.FromSeconds(5));
        await EventuallyAsync(client, "/b", HttpStatusCode.PermanentRedirect, TimeSpan.FromSeconds(5));
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // every notification read: what repairs the table next is the check

        // An edit this replica missed, whatever the cause: same count, other content.
        var snapshot = gateway.Services.GetRequiredService<RedirectSnapshot>();
        var count = snapshot.Current.Count;
        snapshot.Apply("/a", new RedirectEntry("/wrong", true));
        Assert.Equal(count, snapshot.Current.Count);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            using var response = await client.GetAsync(new Uri("/a", UriKind.Relative));
            if (response.Headers.Location?.OriginalString == "/x")
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, $"still {response.Headers.Location} after 10 s: the check did not repair the table");
            await Task.Delay(50);
        }

        Assert.Contains(gateway.Logs.Lines, line => line.Contains("[4028]", StringComparison.Ordinal));
    }

    private async Task<(List<GatewayHost> Gateways, List<HttpClient> Clients)> StartThreeAsync()
    {
        var gateways = new List<GatewayHost>();
        var clients = new List<HttpClient>();
        for (var i = 0; i < 3; i++)
        {
            gateways.Add(NewGateway(AdminKey));
            clients.Add(await StartGatewayAsync(gateway: gateways[^1]));
        }

        Assert.Equal(1, Logged(gateways, "[4016]")); // the seed file, imported once
        return (gateways, clients);
    }

    /// <summary>An add, a change of a seeded entry and a delete of another, each through a different replica's admin API.</summary>
    private static async Task EditThroughAdminApiAsync(List<HttpClient> clients)
    {
        using (var added = await PutAsync(clients[0], "%2Fadded", """{"destination":"/added-target","permanent":true}""", AdminKey))
        {
            Assert.True(added.IsSuccessStatusCode, added.StatusCode.ToString());
        }

        using (var changed = await PutAsync(clients[1], "%2Fapi%2Fv1%2Frevenues", """{"destination":"/changed","permanent":true}""", AdminKey))
        {
            Assert.True(changed.IsSuccessStatusCode, changed.StatusCode.ToString());
        }

        using var deleted = await SendAsync(clients[2], HttpMethod.Delete, "/api/redirects/%2Fapi%2Fv1%2Frevenues%2Ffr", null, AdminKey);
        Assert.True(deleted.IsSuccessStatusCode, deleted.StatusCode.ToString());
    }

    private async Task AssertRestoredAsync(List<GatewayHost> gateways, List<HttpClient> clients)
    {
        // Every replica held the edits in memory all along: what counts is Redis holding them again, and the replicas
        // serving them after they reloaded from it.
        var db = _ops.GetDatabase();
        var deadline = DateTime.UtcNow + Restored;
        while (!await db.KeyExistsAsync(Prefix + "/added"))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the table was not written back within {Restored.TotalSeconds} s");
            await Task.Delay(50);
        }

        Assert.Contains("/added-target", (string?)await db.StringGetAsync(Prefix + "/added") ?? "", StringComparison.Ordinal);
        Assert.Contains("/changed", (string?)await db.StringGetAsync(Prefix + "/api/v1/revenues") ?? "", StringComparison.Ordinal);
        Assert.False(await db.KeyExistsAsync(Prefix + "/api/v1/revenues/fr"), "the deleted seed entry stays deleted in Redis");

        // A second writer, or the seed imported again, would show within this time (a reload takes well under it).
        await Task.Delay(TimeSpan.FromSeconds(2));
        foreach (var client in clients)
        {
            await EditsServedAsync(client, TimeSpan.FromSeconds(5));
        }

        Assert.All(gateways, g => Assert.True(Logged([g], "[4010]") > 1, "each replica reloaded its table from Redis after the loss"));

        Assert.Equal(1, Logged(gateways, "[4025]"));
        Assert.Equal(1, Logged(gateways, "[4016]"));
        var writer = gateways.FindIndex(g => g.Logs.Lines.Any(line => line.Contains("[4025]", StringComparison.Ordinal)));
        var report = await clients[writer].GetStringAsync(new Uri("/readyz", UriKind.Relative));
        Assert.Contains("written back", report, StringComparison.Ordinal);
    }

    /// <summary>The three edits served (and the untouched seeded entry still), within <paramref name="within"/>.</summary>
    private static async Task EditsServedAsync(HttpClient client, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            var seen = new List<string>();
            foreach (var path in new[] { "/added", "/api/v1/revenues", "/api/v1/revenues/fr", "/api/v1/revenues/de" })
            {
                using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
                seen.Add($"{path} {(int)response.StatusCode} {response.Headers.Location}");
            }

            string[] wanted = ["/added 308 /added-target", "/api/v1/revenues 308 /changed", "/api/v1/revenues/de 307 /api/v2/revenues/en-us"];
            if (wanted.All(seen.Contains) && !seen[2].Contains(" 30", StringComparison.Ordinal))
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"after {within.TotalSeconds} s: {string.Join("; ", seen)}");
            await Task.Delay(50);
        }
    }

    /// <summary>The server's run id: a new one for each start of redis-server.</summary>
    private async Task<string?> RunIdAsync()
    {
        await using var admin = await ConnectionMultiplexer.ConnectAsync(_redis.Configuration + ",allowAdmin=true");
        var info = await admin.GetServers()[0].InfoAsync("server");
        return info.SelectMany(group => group).FirstOrDefault(pair => pair.Key == "run_id").Value;
    }

    private async Task FlushAllAsync()
    {
        await using var admin = await ConnectionMultiplexer.ConnectAsync(_redis.Configuration + ",allowAdmin=true");
        await admin.GetServers()[0].FlushAllDatabasesAsync();
    }

    private async Task<List<string>> KeyIdsAsync()
    {
        var ids = new List<string>();
        foreach (var xml in await _ops.GetDatabase().ListRangeAsync(KeyRing))
        {
            var element = System.Xml.Linq.XElement.Parse(xml!);
            if (element.Attribute("id")?.Value is { } id)
            {
                ids.Add(id);
            }
        }

        ids.Sort(StringComparer.Ordinal);
        return ids;
    }

    private static IDataProtector Protector(GatewayHost gateway)
        => gateway.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("write-back-test");

    private static int Logged(IEnumerable<GatewayHost> gateways, string eventId)
        => gateways.Sum(g => g.Logs.Lines.Count(line => line.Contains(eventId, StringComparison.Ordinal)));
}

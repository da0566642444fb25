using System.Net;
using System.Text;
using Gateway.Tests.Infrastructure;
using StackExchange.Redis;

namespace Gateway.Tests.Redirects;

/// <summary>One import at a time over every replica: a lease in Redis for the import's run.</summary>
public sealed class RedirectImportLeaseTests : RedirectTestBed
{
    private const string Lease = "gateway:redirect-import-lease";

    [Fact]
    public async Task AnotherReplicasImportRunning_409NamingIt_NothingWritten()
    {
        var client = await StartGatewayAsync(AdminKey);
        await _ops.GetDatabase().StringSetAsync(Lease, "admin@demo.local from 10.0.0.9 since 2026-12-07 02:00:00Z (abc)", TimeSpan.FromMinutes(1));

        using var refused = await ImportAsync(client, "source,target,status\n/leased,/x,301\n", "text/csv", replace: true);

        var problem = await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.Conflict);
        Assert.Contains("admin@demo.local from 10.0.0.9 since 2026-12-07 02:00:00Z", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.False(await _ops.GetDatabase().KeyExistsAsync(Prefix + "/leased"));

        await _ops.GetDatabase().KeyDeleteAsync(Lease);
        using var accepted = await ImportAsync(client, "source,target,status\n/leased,/x,301\n", "text/csv", replace: true);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.False(await _ops.GetDatabase().KeyExistsAsync(Lease), "the lease is given back when the import ends");
    }

    [Fact]
    public async Task TwoReplaceImportsAtOnceOnTwoReplicas_ExactlyOneTableEverywhere()
    {
        var first = await StartGatewayAsync(AdminKey);
        var second = await StartGatewayAsync(AdminKey);
        var a = Table("a", 2000);
        var b = Table("b", 2000);

        var answers = await Task.WhenAll(ImportAsync(first, a, "text/csv", replace: true), ImportAsync(second, b, "text/csv", replace: true));

        var statuses = answers.Select(r => r.StatusCode).Order().ToList();
        Assert.Contains(HttpStatusCode.OK, statuses);
        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.Conflict, s.ToString()));
        var keys = new List<string>();
        await foreach (var key in _ops.GetServers()[0].KeysAsync(pattern: Prefix + "*"))
        {
            keys.Add(((string)key!)[Prefix.Length..]);
        }

        // Redis holds one of the two files, whole, never a mix of both.
        var only = keys.Select(k => k[1]).Distinct().ToList();
        Assert.Single(only);
        Assert.Equal(2000, keys.Count);
        var winner = only[0];
        foreach (var client in new[] { first, second })
        {
            await EventuallyAsync(client, $"/{winner}0", HttpStatusCode.MovedPermanently, Within);
            await EventuallyAsync(client, $"/{(winner == 'a' ? 'b' : 'a')}0", HttpStatusCode.OK, Within);
        }

        foreach (var answer in answers)
        {
            answer.Dispose();
        }
    }

    private static string Table(string name, int count)
    {
        var csv = new StringBuilder("source,target,status\n");
        for (var i = 0; i < count; i++)
        {
            csv.Append('/').Append(name).Append(i).Append(",/to-").Append(name).Append(",301\n");
        }

        return csv.ToString();
    }
}

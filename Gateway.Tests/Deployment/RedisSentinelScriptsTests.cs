using System.Diagnostics;
using System.Globalization;
using Gateway.Tests.Infrastructure;
using StackExchange.Redis;

namespace Gateway.Tests.Deployment;

/// <summary>
/// The Kubernetes overlay's Redis with Sentinel (deploy/k8s/overlays/redis-sentinel) run on loopback: its own
/// <c>redis.sh</c> and <c>sentinel.sh</c> start three "pods" (each a Redis and a Sentinel, ports instead of pod names),
/// a client connected as the gateway is (the Sentinels, the service name, the password) writes, the primary is killed,
/// the Sentinels promote a replica with the write on it, and the old primary, started again by the same script, joins
/// the new primary as a replica instead of coming back as a second primary.
/// </summary>
public sealed class RedisSentinelScriptsTests : IAsyncLifetime
{
    private const string Password = "sentinel-test-password";
    private static readonly string Scripts = RepositoryPaths.File("deploy/k8s/overlays/redis-sentinel");

    private readonly string _directory = Directory.CreateTempSubdirectory("k8s-sentinel-").FullName;
    private readonly int[] _redisPorts = [FreePort.Next(), FreePort.Next(), FreePort.Next()];
    private readonly int[] _sentinelPorts = [FreePort.Next(), FreePort.Next(), FreePort.Next()];
    private readonly ServerProcess?[] _redis = new ServerProcess?[3];
    private readonly List<ServerProcess> _sentinels = [];

    public async Task InitializeAsync()
    {
        // As the StatefulSet starts them (OrderedReady): pod 0 first, then 1 and 2; each pod's Sentinel beside its Redis.
        for (var pod = 0; pod < 3; pod++)
        {
            _redis[pod] = StartRedis(pod);
            await EventuallyAsync(async () => await PingAsync(_redisPorts[pod]), $"redis of pod {pod} did not start", _redis[pod]!);
            var sentinel = StartSentinel(pod);
            _sentinels.Add(sentinel);
            await EventuallyAsync(async () => await PingAsync(_sentinelPorts[pod], sentinel: true), $"sentinel of pod {pod} did not start", sentinel);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var process in _sentinels.Concat(_redis.OfType<ServerProcess>()))
        {
            await process.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task PrimaryKilled_ReplicaPromotedWithTheData_OldPrimaryRejoinsAsReplica()
    {
        await EventuallyAsync(async () => await SentinelsSeeAsync(replicas: 2, otherSentinels: 2), "the Sentinels never saw each other and both replicas");
        Assert.Equal(_redisPorts[0], await PrimaryPortAsync());

        // The gateway's connection: the Sentinels and the service name, the password (deploy/k8s/overlays/redis-sentinel).
        var configuration = string.Join(',', _sentinelPorts.Select(p => $"127.0.0.1:{p}")) + $",serviceName=mymaster,password={Password},abortConnect=false";
        await using (var client = await ConnectionMultiplexer.ConnectAsync(configuration))
        {
            var db = client.GetDatabase();
            await db.StringSetAsync("gateway:redirect:/before-failover", "kept");
            await db.ExecuteAsync("WAIT", 2, 5000); // on both replicas before the primary goes
        }

        await _redis[0]!.DisposeAsync(); // killed, as a node lost
        _redis[0] = null;
        await EventuallyAsync(async () => await PrimaryPortAsync() is { } port && port != _redisPorts[0], "no replica was promoted", within: TimeSpan.FromSeconds(60));
        var promoted = (await PrimaryPortAsync())!.Value;

        await using (var client = await ConnectionMultiplexer.ConnectAsync(configuration))
        {
            Assert.Equal("kept", (string?)await client.GetDatabase().StringGetAsync("gateway:redirect:/before-failover"));
            await client.GetDatabase().StringSetAsync("gateway:redirect:/after-failover", "written to the new primary");
        }

        // Pod 0 starts again with the same script: it asks the Sentinels and joins the new primary from its first moment
        // (Sentinel would demote a returning primary too, but only after it had taken writes as a second primary).
        _redis[0] = StartRedis(0);
        await EventuallyAsync(() => Task.FromResult(_redis[0]!.Output.Contains($"the primary is 127.0.0.1:{promoted}", StringComparison.Ordinal)),
            "redis.sh did not take the primary from the Sentinels", _redis[0]!);
        await EventuallyAsync(async () => await ReplicationOfAsync(_redisPorts[0]) == ("slave", promoted), "the old primary did not rejoin as the new primary's replica", _redis[0]!);
        await EventuallyAsync(async () =>
        {
            await using var direct = await ConnectAsync(_redisPorts[0]);
            return (string?)await direct.GetDatabase().StringGetAsync("gateway:redirect:/after-failover") == "written to the new primary";
        }, "the old primary did not take the new primary's data");
        Assert.Equal(promoted, await PrimaryPortAsync());
    }

    private ServerProcess StartRedis(int pod)
    {
        var dir = Path.Combine(_directory, $"redis-{pod}");
        Directory.CreateDirectory(dir);
        return Start("redis.sh", pod, new() { ["REDIS_DIR"] = dir, ["REDIS_MAXMEMORY"] = "64mb" });
    }

    private ServerProcess StartSentinel(int pod)
        => Start("sentinel.sh", pod, new()
        {
            ["SENTINEL_PORT"] = _sentinelPorts[pod].ToString(CultureInfo.InvariantCulture),
            ["SENTINEL_CONF"] = Path.Combine(_directory, $"sentinel-{pod}.conf"),
            // Quicker than the overlay's 5 s, so the test takes seconds: the same script, the timing as a setting.
            ["SENTINEL_DOWN_AFTER_MS"] = "1000",
        });

    private ServerProcess Start(string script, int pod, Dictionary<string, string> extra)
    {
        var start = new ProcessStartInfo("sh", [Path.Combine(Scripts, script)]);
        start.Environment["SELF_HOST"] = "127.0.0.1";
        start.Environment["REDIS_PORT"] = _redisPorts[pod].ToString(CultureInfo.InvariantCulture);
        start.Environment["PRIMARY_HOST"] = "127.0.0.1";
        start.Environment["PRIMARY_PORT"] = _redisPorts[0].ToString(CultureInfo.InvariantCulture);
        start.Environment["SENTINELS"] = $"127.0.0.1:{_sentinelPorts[0]}";
        start.Environment["REDIS_PASSWORD"] = Password;
        foreach (var (key, value) in extra)
        {
            start.Environment[key] = value;
        }

        return ServerProcess.Start(start);
    }

    private async Task<bool> SentinelsSeeAsync(int replicas, int otherSentinels)
    {
        foreach (var port in _sentinelPorts)
        {
            await using var sentinel = await ConnectAsync(port, sentinel: true);
            var server = sentinel.GetServer("127.0.0.1", port);
            if ((await server.SentinelReplicasAsync("mymaster")).Length != replicas
                || (await server.SentinelSentinelsAsync("mymaster")).Length != otherSentinels)
            {
                return false;
            }
        }

        return true;
    }

    private async Task<int?> PrimaryPortAsync()
    {
        await using var sentinel = await ConnectAsync(_sentinelPorts[1], sentinel: true);
        var primary = await sentinel.GetServer("127.0.0.1", _sentinelPorts[1]).SentinelGetMasterAddressByNameAsync("mymaster");
        return (primary as System.Net.IPEndPoint)?.Port ?? (primary as System.Net.DnsEndPoint)?.Port;
    }

    private static async Task<(string Role, int PrimaryPort)> ReplicationOfAsync(int port)
    {
        await using var direct = await ConnectAsync(port);
        var info = (string?)await direct.GetDatabase().ExecuteAsync("INFO", "replication") ?? "";
        var fields = info.Split('\n').Select(l => l.Trim().Split(':', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        return (fields.GetValueOrDefault("role", ""), int.TryParse(fields.GetValueOrDefault("master_port"), CultureInfo.InvariantCulture, out var primary) ? primary : 0);
    }

    private static async Task<bool> PingAsync(int port, bool sentinel = false)
    {
        await using var connection = await ConnectAsync(port, sentinel);
        return connection.IsConnected && (await connection.GetServer("127.0.0.1", port).PingAsync()) >= TimeSpan.Zero;
    }

    private static Task<ConnectionMultiplexer> ConnectAsync(int port, bool sentinel = false)
        => ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions
        {
            EndPoints = { { "127.0.0.1", port } },
            Password = sentinel ? null : Password,
            CommandMap = sentinel ? CommandMap.Sentinel : CommandMap.Default,
            AllowAdmin = true,
            AbortOnConnectFail = true,
            ConnectTimeout = 2000,
        });

    private static async Task EventuallyAsync(Func<Task<bool>> condition, string failure, ServerProcess? process = null, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(30));
        do
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                // not yet
            }

            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Fail(process is null ? failure : $"{failure}:\n{process.Output}");
    }
}

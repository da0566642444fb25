// The redirect table's costs at 1k, 100k and 1M entries, against a real redis-server on loopback:
// filling Redis, loading the table from it, the table's managed memory, a hit and a miss lookup, a one-entry edit,
// and how long a raw SET takes to show in a running gateway's snapshot. Medians of several runs.
// Run: dotnet run -c Release --project bench/redirects [-- sizes...]   (writes markdown to stdout)
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Gateway.Redirects;
using Gateway.Redis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

int[] sizes = args.Length > 0 ? [.. args.Select(int.Parse)] : [1_000, 100_000, 1_000_000];
const int Runs = 5;
const string Prefix = "gateway:redirect:";

var port = FreePort();
using var redisProcess = Process.Start(new ProcessStartInfo("redis-server",
    $"--port {port} --bind 127.0.0.1 --save \"\" --appendonly no --loglevel warning") { RedirectStandardOutput = true })!;
try
{
    var builder = Host.CreateApplicationBuilder();
    builder.Logging.ClearProviders();
    builder.Configuration["Redis:Configuration"] = $"127.0.0.1:{port}";
    builder.Configuration["Redis:Timeout"] = "00:00:30";
    builder.Configuration["Redirects:SeedFile"] = "";
    builder.Services.AddGatewayRedis();
    builder.Services.AddRedirects();
    using var host = builder.Build();
    var redis = host.Services.GetRequiredService<IConnectionMultiplexer>();
    for (var i = 0; !redis.IsConnected && i < 100; i++)
    {
        await Task.Delay(50);
    }

    var db = redis.GetDatabase();
    var loader = host.Services.GetRequiredService<RedirectLoader>();
    var breakdowns = new List<string>();
    var recoveries = new List<string>();

    Console.WriteLine($"| entries (1 in 10 a prefix) | fill Redis (s) | load from Redis (s) | allocated by a load (MB) | table held (MB) | peak RSS so far (MB) | hit (ns) | prefix hit (ns) | miss (ns) | one-entry edit (µs) |");
    Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    foreach (var size in sizes)
    {
        await redis.GetServers()[0].FlushDatabaseAsync();
        var fill = Stopwatch.StartNew();
        for (var start = 0; start < size; start += 10_000)
        {
            var batch = Enumerable.Range(start, Math.Min(10_000, size - start))
                .Select(i => db.StringSetAsync($"{Prefix}/old/{i}", $$"""{"destination":"/new/{{i}}","permanent":{{(i % 2 == 0 ? "true" : "false")}}{{(i % 10 == 0 ? ",\"match\":\"prefix\"" : "")}}}"""));
            await Task.WhenAll(batch);
        }

        fill.Stop();

        var loads = new List<double>();
        RedirectTable table = RedirectTable.Empty;
        for (var run = 0; run < 3; run++)
        {
            table = null!;
            GC.Collect();
            var clock = Stopwatch.StartNew();
            table = await loader.LoadAsync(CancellationToken.None);
            loads.Add(clock.Elapsed.TotalSeconds);
        }

        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        table = await loader.LoadAsync(CancellationToken.None);
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        var memory = HeldMegabytes(loader);
        if (table.Count != size)
        {
            throw new InvalidOperationException($"loaded {table.Count}, expected {size}");
        }

        var probes = Enumerable.Range(0, 1024).Select(i => $"/old/{(i * 7919) % size}").ToArray();
        var misses = Enumerable.Range(0, 1024).Select(i => $"/api/v2/invoices/en-us/{i}").ToArray();
        var hit = MedianOf(Runs, () => Lookups(table, probes));
        var prefixProbes = Enumerable.Range(0, 1024).Select(i => $"/old/{((i * 7919) % (size / 10)) * 10}/sub/page").ToArray();
        var prefixHit = MedianOf(Runs, () => Lookups(table, prefixProbes));
        var peak = Process.GetCurrentProcess().PeakWorkingSet64 / 1024.0 / 1024.0;
        var miss = MedianOf(Runs, () => Lookups(table, misses));
        var edit = MedianOf(Runs, () =>
        {
            var clock = Stopwatch.StartNew();
            var t = table;
            for (var i = 0; i < 100; i++)
            {
                t = t.With($"/edited/{i}", new RedirectEntry("/x", false));
            }

            return clock.Elapsed.TotalMicroseconds / 100;
        });
        breakdowns.Add(await BreakdownAsync(size, redis, host.Services));
        recoveries.Add(await RecoveryAsync(size, table, redis, host.Services));
        Console.WriteLine($"| {size:N0} | {fill.Elapsed.TotalSeconds:0.00} | {Median(loads):0.00} | {allocated / 1024.0 / 1024.0:0} | {memory:0.00} | {peak:0} | {hit:0.0} | {prefixHit:0.0} | {miss:0.0} | {edit:0.0} |");
    }

    Console.WriteLine();
    Console.WriteLine("Where a load's time goes (one run each, single-threaded steps measured apart):");
    Console.WriteLine();
    Console.WriteLine("| entries | SCAN only (s) | SCAN + MGET, nothing parsed (s) | parse + validate, one thread (s) | table build (s) |");
    Console.WriteLine("|---:|---:|---:|---:|---:|");
    breakdowns.ForEach(Console.WriteLine);

    Console.WriteLine();
    Console.WriteLine("The periodic check's content comparison and a write-back after Redis lost the table (one run each):");
    Console.WriteLine();
    Console.WriteLine("| entries | compare two loaded tables, all cores (s) | write back into an emptied Redis (s) |");
    Console.WriteLine("|---:|---:|---:|");
    recoveries.ForEach(Console.WriteLine);

    // Propagation: a running sync (as in the gateway) over the last size; a raw SET until the snapshot has it.
    var snapshot = host.Services.GetRequiredService<RedirectSnapshot>();
    await host.StartAsync();
    while (snapshot.SyncedAt is null)
    {
        await Task.Delay(10);
    }

    var delays = new List<double>();
    for (var i = 0; i < 20; i++)
    {
        var key = $"/propagation/{i}";
        var clock = Stopwatch.StartNew();
        await db.StringSetAsync(Prefix + key, """{"destination":"/p","permanent":false}""");
        while (snapshot.Current.Find(key) is null)
        {
            await Task.Yield();
        }

        delays.Add(clock.Elapsed.TotalMilliseconds);
    }

    // A burst, as `redirects import` or a script makes: 10,000 new keys SET at once, until the snapshot has every one.
    const int Burst = 10_000;
    var bursts = new List<double>();
    for (var round = 0; round < 3; round++)
    {
        var keys = Enumerable.Range(0, Burst).Select(i => $"/burst/{round}/{i}").ToArray();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(keys.Select(key => db.StringSetAsync(Prefix + key, """{"destination":"/b","permanent":false}""")));
        while (!keys.All(key => snapshot.Current.Find(key) is not null))
        {
            await Task.Delay(1);
        }

        bursts.Add(clock.Elapsed.TotalMilliseconds);
    }

    await host.StopAsync();
    Console.WriteLine();
    Console.WriteLine($"Raw SET to served, with {snapshot.Current.Count:N0} entries loaded: median {Median(delays):0.00} ms, max {delays.Max():0.00} ms over 20 edits (keyspace notification + one GET + one-entry snapshot edit).");
    Console.WriteLine($"A burst of {Burst:N0} new keys SET at once until all are served: median {Median(bursts):0} ms over 3 bursts.");
}
finally
{
    redisProcess.Kill();
    await redisProcess.WaitForExitAsync();
}

// The parts of a load measured apart: the Redis round trips alone, then parsing and validating what they returned, then
// building the table from the accepted entries.
static async Task<string> BreakdownAsync(int size, IConnectionMultiplexer redis, IServiceProvider services)
{
    var store = services.GetRequiredService<RedisRedirectStore>();
    var loader = services.GetRequiredService<RedirectLoader>();
    var server = redis.GetServers()[0];
    var clock = Stopwatch.StartNew();
    var scanned = 0;
    await foreach (var _ in server.KeysAsync(0, Prefix + "*", 1000))
    {
        scanned++;
    }

    var scan = clock.Elapsed.TotalSeconds;
    var raw = new List<(string Key, RedisValue Json)>(size);
    clock.Restart();
    await foreach (var item in store.ScanAsync())
    {
        raw.Add(item);
    }

    var fetch = clock.Elapsed.TotalSeconds;
    clock.Restart();
    var accepted = new List<KeyValuePair<string, RedirectEntry>>(raw.Count);
    foreach (var (key, json) in raw)
    {
        if (loader.Accept(key, json) is { } entry)
        {
            accepted.Add(new(key, entry));
        }
    }

    var parse = clock.Elapsed.TotalSeconds;
    clock.Restart();
    var built = RedirectTable.Create(accepted);
    var build = clock.Elapsed.TotalSeconds;
    return scanned == size && built.Count == size
        ? $"| {size:N0} | {scan:0.00} | {fetch:0.00} | {parse:0.00} | {build:0.00} |"
        : throw new InvalidOperationException($"scanned {scanned}, built {built.Count}, expected {size}");
}

// What the periodic check adds to its full load (the served table compared with the loaded one, entry by entry), and
// how long one replica takes to write the whole table back into a Redis that lost it.
static async Task<string> RecoveryAsync(int size, RedirectTable table, IConnectionMultiplexer redis, IServiceProvider services)
{
    var store = services.GetRequiredService<RedisRedirectStore>();
    var loader = services.GetRequiredService<RedirectLoader>();
    var other = await loader.LoadAsync(CancellationToken.None);
    var clock = Stopwatch.StartNew();
    var same = table.SameContent(other);
    var compare = clock.Elapsed.TotalSeconds;
    await redis.GetServers()[0].FlushDatabaseAsync();
    clock.Restart();
    var written = await store.WriteBackAsync(table, 1, replace: false, CancellationToken.None);
    var writeBack = clock.Elapsed.TotalSeconds;
    return same && written == size
        ? $"| {size:N0} | {compare:0.00} | {writeBack:0.00} |"
        : throw new InvalidOperationException($"same {same}, written {written}, expected {size}");
}

static double Lookups(RedirectTable table, string[] paths)
{
    const int Rounds = 2_000;
    var found = 0;
    var clock = Stopwatch.StartNew();
    for (var round = 0; round < Rounds; round++)
    {
        foreach (var path in paths)
        {
            found += table.TryResolve(path, 8, out _) ? 1 : 0;
        }
    }

    var ns = clock.Elapsed.TotalNanoseconds / (Rounds * (double)paths.Length);
    return found >= 0 ? ns : double.NaN;
}

static double MedianOf(int runs, Func<double> measure)
{
    measure();
    return Median([.. Enumerable.Range(0, runs).Select(_ => measure())]);
}

static double Median(List<double> values)
{
    values.Sort();
    return values[values.Count / 2];
}

// What one more loaded table adds to the managed heap after full collections. Synchronous on purpose: an awaited
// task would keep its result (the table) reachable from the caller's state machine and blur the measurement.
static double HeldMegabytes(RedirectLoader loader)
{
    var before = GC.GetTotalMemory(forceFullCollection: true);
    var table = Task.Run(() => loader.LoadAsync(CancellationToken.None)).GetAwaiter().GetResult();
    var after = GC.GetTotalMemory(forceFullCollection: true);
    GC.KeepAlive(table);
    return (after - before) / 1024.0 / 1024.0;
}

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

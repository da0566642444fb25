// What the geo resolver chain costs a request, in process: GeoRerouteTransform (the transform on /api/v1/invoices)
// with each resolver answering in turn, against a client for whom every resolver declines at once.
// Usage: Geo.Bench <redis host:port> <country database .mmdb> [runs]      (bench/geo/run.sh starts the Redis)
using System.Diagnostics;
using System.Net;
using Gateway.Geo;
using Gateway.Redis;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Transforms;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: Geo.Bench <redis host:port> <country database .mmdb> [runs]");
    return 2;
}

var redis = args[0];
var database = Path.GetFullPath(args[1]);
var runs = args.Length > 2 ? int.Parse(args[2]) : 7;
if (!File.Exists(database))
{
    Console.Error.WriteLine($"no country database at {database} (scripts/geo-install fetches it)");
    return 2;
}

// A stand-in for ip-api.com on loopback: every address is in Germany.
var api = WebApplication.CreateSlimBuilder();
api.Logging.ClearProviders();
api.WebHost.UseUrls("http://127.0.0.1:0");
var apiApp = api.Build();
apiApp.MapGet("/json/{ip}", () => Results.Text("{\"status\":\"success\",\"countryCode\":\"DE\"}", "application/json"));
await apiApp.StartAsync();
var apiUrl = apiApp.Urls.First() + "/";

var chain = Transform(new()
{
    ["Geo:TrustedProxies:0"] = "10.0.0.1",
    ["Geo:CountryHeader"] = "CF-IPCountry",
    ["Geo:DatabasePath"] = database,
    ["Geo:ApiBaseUrl"] = apiUrl,
});
var apiOnly = Transform(new() { ["Geo:ApiBaseUrl"] = apiUrl, ["Geo:ApiCacheTime"] = "01:00:00" });
var apiRedisOnly = Transform(new() { ["Geo:ApiBaseUrl"] = apiUrl, ["Geo:ApiCacheTime"] = "01:00:00", ["Geo:ApiMemoryCacheSize"] = "0" });

var france = IPAddress.Parse("51.158.36.186");
var us = IPAddress.Parse("8.8.8.8");
var usV6 = IPAddress.Parse("2001:4860:4860::8888");
var fresh = 0;

(string Name, int Count, Func<ValueTask> Op)[] cases =
[
    ("private address: every resolver declines (baseline)", 200_000, () => Run(chain, IPAddress.Parse("192.168.1.20"), trusted: false, header: null)),
    ("CDN header from a trusted proxy: FR, 302", 200_000, () => Run(chain, france, trusted: true, header: "FR")),
    ("database: 51.158.36.186 → FR, 302", 200_000, () => Run(chain, france, trusted: false, header: null)),
    ("database: 8.8.8.8 → US, forwarded", 200_000, () => Run(chain, us, trusted: false, header: null)),
    ("database: 2001:4860:4860::8888 → US, forwarded", 200_000, () => Run(chain, usV6, trusted: false, header: null)),
    ("geo API, answer in this gateway's memory", 200_000, () => Run(apiOnly, us, trusted: false, header: null)),
    ("geo API, answer in Redis only (another gateway asked)", 20_000, () => Run(apiRedisOnly, us, trusted: false, header: null)),
    ("geo API, first ask (stand-in on loopback) + Redis SET", 2_000, () => Run(apiOnly, Unseen(), trusted: false, header: null)),
];

IPAddress Unseen()
{
    var n = Interlocked.Increment(ref fresh) + Environment.ProcessId * 65536;
    return new IPAddress([(byte)(1 + (n >> 24 & 0x7F)), (byte)(n >> 16), (byte)(n >> 8), (byte)n]);
}

Console.WriteLine($"Geo resolver chain, per request, in process; median of {runs} runs ({Environment.ProcessorCount} cores, .NET {Environment.Version})");
Console.WriteLine();
Console.WriteLine("Each request builds a DefaultHttpContext and runs GeoRerouteTransform with the three resolvers configured");
Console.WriteLine("(CDN header, country database, geo API); the baseline's private address is declined by all three at once.");
Console.WriteLine("The geo API rows use gateway configurations with only the API (the Redis-only one with its memory cache");
Console.WriteLine("off), one request at a time.");
Console.WriteLine();
Console.WriteLine("| case | requests per run | time per request (µs) | ratio to baseline | allocated per request (B) |");
Console.WriteLine("|---|---:|---:|---:|---:|");
double? baseline = null;
foreach (var (name, count, op) in cases)
{
    for (var i = 0; i < Math.Min(count, 20_000) / 10; i++)
    {
        await op();
    }

    var times = new List<double>();
    var bytes = new List<double>();
    for (var run = 0; run < runs; run++)
    {
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            await op();
        }

        times.Add(clock.Elapsed.TotalMicroseconds / count);
        bytes.Add((double)(GC.GetTotalAllocatedBytes(precise: true) - allocated) / count);
    }

    var median = Median(times);
    baseline ??= median;
    Console.WriteLine($"| {name} | {count:N0} | {median:F2} | {median / baseline.Value:F1} | {Median(bytes):F0} |");
}

await apiApp.StopAsync();
return 0;

static double Median(List<double> values)
{
    values.Sort();
    return values[values.Count / 2];
}

GeoRerouteTransform Transform(Dictionary<string, string?> settings)
{
    settings["Redis:Configuration"] = redis;
    settings["Geo:Routes:FR"] = "/api/v2/invoices/fr";
    var services = new ServiceCollection()
        .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build())
        .AddSingleton<IHostEnvironment>(new HostingEnvironment { ContentRootPath = AppContext.BaseDirectory })
        .AddLogging();
    services.AddGatewayRedis();
    services.AddGeo();
    return services.BuildServiceProvider().GetRequiredService<GeoRerouteTransform>();
}

static async ValueTask Run(GeoRerouteTransform transform, IPAddress client, bool trusted, string? header)
{
    var http = new DefaultHttpContext();
    http.Connection.RemoteIpAddress = client;
    if (trusted)
    {
        http.Features.Set(ClientAddressFeature.FromTrustedProxy);
    }

    if (header is not null)
    {
        http.Request.Headers["CF-IPCountry"] = header;
    }

    using var proxyRequest = new HttpRequestMessage();
    await transform.ApplyAsync(new RequestTransformContext
    {
        HttpContext = http,
        ProxyRequest = proxyRequest,
        Path = http.Request.Path,
        Query = new QueryTransformContext(http.Request),
        DestinationPrefix = "http://127.0.0.1:1337/",
    });
}

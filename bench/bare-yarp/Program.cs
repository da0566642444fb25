// The baselines on .NET: YARP with one catch-all route and nothing else, and in front of it the least a redirect can
// cost on Kestrel (one middleware, a dictionary of the same entries as the gateway's table, a 307).
// Usage: Bench.BareYarp <port> <upstream-url> [<redirects>] [<management-port>]
//   (/old/{i} -> /new/{i} for i below <redirects>; with a management port, GET /__allocated there answers
//   GC.GetTotalAllocatedBytes(), the number the gateway exports as dotnet.gc.heap.total_allocated, for bench/run's
//   allocations per request. It is a second server on its own port, so the measured pipeline is exactly as before.)
using System.Globalization;
using Yarp.ReverseProxy.Configuration;

var port = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5200;
var upstream = args.Length > 1 ? args[1] : "http://127.0.0.1:5100/";
var count = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 0;
var managementPort = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 0;
var redirects = new Dictionary<string, string>(count, StringComparer.Ordinal);
for (var i = 0; i < count; i++)
{
    redirects[$"/old/{i}"] = $"/new/{i}";
}

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
builder.Services.AddReverseProxy().LoadFromMemory(
    [new RouteConfig { RouteId = "all", ClusterId = "upstream", Match = new RouteMatch { Path = "{**catch-all}" } }],
    [new ClusterConfig { ClusterId = "upstream", Destinations = new Dictionary<string, DestinationConfig> { ["one"] = new() { Address = upstream } } }]);
var app = builder.Build();
if (count > 0)
{
    app.Use((context, next) =>
    {
        if (context.Request.Path.Value is { } path && redirects.TryGetValue(path, out var location))
        {
            context.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
            context.Response.Headers.Location = location;
            return Task.CompletedTask;
        }

        return next(context);
    });
}

app.MapReverseProxy();

if (managementPort > 0)
{
    var management = WebApplication.CreateSlimBuilder();
    management.Logging.ClearProviders();
    management.WebHost.UseUrls($"http://127.0.0.1:{managementPort}");
    var reader = management.Build();
    reader.MapGet("/__allocated", () => GC.GetTotalAllocatedBytes().ToString(CultureInfo.InvariantCulture));
    await reader.StartAsync();
}

app.Run();

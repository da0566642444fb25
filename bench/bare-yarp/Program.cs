// The baseline: YARP with one catch-all route and nothing else. Usage: Bench.BareYarp <port> <upstream-url>
using Yarp.ReverseProxy.Configuration;

var port = args.Length > 0 ? int.Parse(args[0]) : 5200;
var upstream = args.Length > 1 ? args[1] : "http://127.0.0.1:5100/";
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
builder.Services.AddReverseProxy().LoadFromMemory(
    [new RouteConfig { RouteId = "all", ClusterId = "upstream", Match = new RouteMatch { Path = "{**catch-all}" } }],
    [new ClusterConfig { ClusterId = "upstream", Destinations = new Dictionary<string, DestinationConfig> { ["one"] = new() { Address = upstream } } }]);
var app = builder.Build();
app.MapReverseProxy();
app.Run();

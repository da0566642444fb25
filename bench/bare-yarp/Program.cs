// The baselines on .NET: YARP with one catch-all route and nothing else, and in front of it the least a redirect can
// cost on Kestrel (one middleware, a dictionary of the same entries as the gateway's table, a 307).
// Usage: Bench.BareYarp <port> <upstream-url> [<redirects>]   (/old/{i} -> /new/{i} for i below <redirects>)
using Yarp.ReverseProxy.Configuration;

var port = args.Length > 0 ? int.Parse(args[0]) : 5200;
var upstream = args.Length > 1 ? args[1] : "http://127.0.0.1:5100/";
var count = args.Length > 2 ? int.Parse(args[2]) : 0;
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
app.Run();

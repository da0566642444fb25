using Gateway.Access;
using Gateway.Caching;
using Gateway.Compression;
using Gateway.Geo;
using Gateway.Hosting;
using Gateway.Redirects;
using Gateway.Telemetry;
using Microsoft.Extensions.Options;

var command = RedirectsCommand.IsInvocation(args);
var builder = WebApplication.CreateBuilder(command ? [] : args);

builder.AddYarpJson();
builder.AddGateway();

var app = builder.Build();
if (command)
{
    return await RedirectsCommand.RunAsync(app.Services, args, Console.Out, Console.Error);
}

app.UseGatewayErrors();
app.UseGeoClientAddress(); // the client's address and scheme from a trusted proxy, for everything after
app.UseGatewayHsts();
app.UseRedirects();
app.UseAccess();
app.UsePrivateAnswers();
app.UseResponseCache();
app.UseGatewayCompression(); // inside the cache: answers are kept compressed and a hit is not compressed again
app.UseStrapiAnswers(); // ETag/304 and stale-if-error on what Strapi answers (cache misses and uncached reads)
app.MapGatewayHealth();
app.MapAccessEndpoints();
app.MapRedirectsApi();
app.MapStrapiWebhooks();
app.MapReverseProxy(proxy => proxy.UseUpstreamOutages().UseMethodNotAllowed().UseJsonBodiesToStrapi().UseForwarderProblemDetails());

try
{
    await app.RunAsync();
}
catch (OptionsValidationException e)
{
    // A refused setting (an admin key under 32 characters, say): one line that says which, not a crash.
    await Console.Error.WriteLineAsync($"gateway: configuration refused: {string.Join(" ", e.Failures)}");
    return 2;
}

return 0;

/// <summary>Entry point, visible to <c>WebApplicationFactory&lt;Program&gt;</c> in the tests.</summary>
public partial class Program;

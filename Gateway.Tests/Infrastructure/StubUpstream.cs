using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// A stand-in upstream on a loopback port: it records every request exactly as it arrived (raw target, headers,
/// body) and answers with whatever <see cref="Handler"/> says. Used where a fault must be injected; the contract
/// itself is also proven against a real Strapi in the end-to-end suite.
/// </summary>
public sealed class StubUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;

    private StubUpstream(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>How the next requests are answered; the default is an empty 200.</summary>
    public Func<HttpContext, Task> Handler { get; set; } = _ => Task.CompletedTask;

    /// <summary>Starts a stand-in on <paramref name="port"/> (0: a free one; a given one to start it again after a stop).</summary>
    public static async Task<StubUpstream> StartAsync(int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();

        StubUpstream? stub = null;
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            context.Request.Body = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(body)); // the handler may read it too
            stub!.Requests.Enqueue(new RecordedRequest(
                context.Request.Method,
                context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget,
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                body));
            await stub.Handler(context);
        });

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        stub = new StubUpstream(app, new Uri(address + "/"));
        return stub;
    }

    /// <summary>Answers every request with this status, JSON body and content type.</summary>
    public void Respond(int status, string? body = null, string contentType = "application/json; charset=utf-8")
    {
        Handler = async context =>
        {
            context.Response.StatusCode = status;
            if (body is not null)
            {
                context.Response.ContentType = contentType;
                await context.Response.WriteAsync(body);
            }
        };
    }

    /// <summary>Never answers: holds each request until the caller gives up.</summary>
    public void Hang() => Handler = context => Task.Delay(Timeout.Infinite, context.RequestAborted);

    public RecordedRequest OnlyRequest()
    {
        Assert.Single(Requests);
        Requests.TryPeek(out var request);
        return request!;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public sealed record RecordedRequest(string Method, string Target, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

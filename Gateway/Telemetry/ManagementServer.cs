using Gateway.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace Gateway.Telemetry;

/// <summary>
/// The management port: a Kestrel server of its own on <see cref="TelemetryOptions.ManagementUrl"/>, serving only the
/// Prometheus scrape endpoint (<c>/metrics</c>) and the gateway's <c>/healthz</c> and <c>/readyz</c>. None of the public
/// pipeline (redirects, routes, the frontend catch-all) runs here, and none of this is on the public port.
/// </summary>
internal sealed partial class ManagementServer(
    IOptions<TelemetryOptions> options,
    MeterProvider meters,
    HealthCheckService health,
    ReadinessLog readiness,
    ILoggerFactory loggers,
    ILogger<ManagementServer> logger) : IHostedService, IAsyncDisposable
{
    public const string MetricsPath = "/metrics";

    private WebApplication? _app;

    /// <summary>Where it listens, once started (the port chosen when the configured one is 0); null when off.</summary>
    public Uri? Address { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var url = options.Value.ManagementUrl;
        if (string.IsNullOrWhiteSpace(url))
        {
            return;
        }

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().UseUrls(url);
        builder.Services.AddRoutingCore();
        builder.Services.AddSingleton<ILoggerFactory>(new QuietLoggerFactory(loggers));
        builder.Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        builder.Services.AddSingleton(health);
        builder.Services.AddSingleton(readiness); // the /readyz writer logs readiness changes through the gateway's one log
        // The gateway's own host handles signals and says where it listens; this one stays quiet (one line of its own below).
        builder.Services.AddSingleton<IHostLifetime, QuietLifetime>();
        _app = builder.Build();
        _app.UseOpenTelemetryPrometheusScrapingEndpoint(meters, predicate: null, path: MetricsPath,
            configureBranchedPipeline: null, optionsName: null);
        _app.UseHealthChecks(HealthEndpoints.LivePath, HealthEndpoints.LiveOptions);
        _app.UseHealthChecks(HealthEndpoints.ReadyPath, HealthEndpoints.ReadyOptions);
        _app.Run(context =>
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });

        await _app.StartAsync(cancellationToken);
        Address = new Uri(_app.Urls.First());
        LogListening(logger, Address);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    /// <summary>The gateway's loggers, less the host's "Now listening on" lines: an operator reads those as the public port.</summary>
    private sealed class QuietLoggerFactory(ILoggerFactory loggers) : ILoggerFactory
    {
        private const string LifetimeCategory = "Microsoft.Hosting.Lifetime";

        public ILogger CreateLogger(string categoryName) =>
            categoryName == LifetimeCategory ? NullLogger.Instance : loggers.CreateLogger(categoryName);

        public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

        public void Dispose()
        {
            // The gateway's factory is the gateway's to dispose.
        }
    }

    private sealed class QuietLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    [LoggerMessage(EventId = 9010, Level = LogLevel.Information, Message = "Management port (metrics, health) listening on {Address}")]
    private static partial void LogListening(ILogger logger, Uri address);
}

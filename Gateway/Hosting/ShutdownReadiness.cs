using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Gateway.Hosting;

/// <summary>
/// The stop as a load balancer needs it (dotnet/aspnetcore#30387): the moment a stop is asked for, the <c>shutdown</c>
/// readiness check fails (503), and the stop waits <see cref="ShutdownOptions.ReadinessDelay"/> while Kestrel still
/// takes connections, so the balancer sees the 503 and stops sending before anything is refused. The wait is in
/// <see cref="IHostedLifecycleService.StoppingAsync"/>, which the host runs before it stops any hosted service (the web
/// server included, which minimal hosting registers last and so stops first).
/// </summary>
internal sealed partial class ShutdownReadiness(IHostApplicationLifetime lifetime, IOptions<ShutdownOptions> options, TimeProvider time, ILogger<ShutdownReadiness> logger)
    : IHostedLifecycleService, IHealthCheck
{
    private bool _stopping;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        // The host runs this before it signals ApplicationStopping: readiness must say so from here on.
        Volatile.Write(ref _stopping, true);
        var delay = options.Value.ReadinessDelay;
        if (delay <= TimeSpan.Zero)
        {
            return;
        }

        LogDelaying(logger, delay);
        try
        {
            await Task.Delay(delay, time, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout ran out: go on with the stop.
        }
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        => Task.FromResult(Volatile.Read(ref _stopping) || lifetime.ApplicationStopping.IsCancellationRequested
            ? HealthCheckResult.Unhealthy("shutting down")
            : HealthCheckResult.Healthy());

    [LoggerMessage(EventId = 1020, Level = LogLevel.Information, Message = "Stopping: readiness is 503; connections still taken for {Delay} before the drain")]
    private static partial void LogDelaying(ILogger logger, TimeSpan delay);
}

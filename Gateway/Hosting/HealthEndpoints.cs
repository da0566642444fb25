using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gateway.Hosting;

/// <summary><c>/healthz</c>: the process is alive. <c>/readyz</c>: Redis and Strapi are reachable, or 503 naming what is not.</summary>
internal static class HealthEndpoints
{
    public const string ReadyTag = "ready";

    public static WebApplication MapGatewayHealth(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResponseWriter = WriteReportAsync,
        }).AllowAnonymous();
        return app;
    }

    private static Task WriteReportAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        var checks = report.Entries.ToDictionary(
            entry => entry.Key,
            entry => new CheckReport(entry.Value.Status.ToString(), entry.Value.Description));
        return JsonSerializer.SerializeAsync(context.Response.Body,
            new ReadinessReport(report.Status.ToString(), checks),
            HostingJsonContext.Default.ReadinessReport,
            context.RequestAborted);
    }
}

internal sealed record ReadinessReport(string Status, Dictionary<string, CheckReport> Checks);

internal sealed record CheckReport(string Status, string? Description);

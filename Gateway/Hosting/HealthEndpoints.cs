using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gateway.Hosting;

/// <summary>
/// <c>/healthz</c>: the process is alive. <c>/readyz</c>: whether this replica should get traffic. A shared dependency
/// down (Redis, Strapi) is <c>Degraded</c>, named in the body, and still 200: every replica shares it, and taking them
/// all out of the pool would stop what they still serve (redirects, cached and stale reads, sign-in page, frontend).
/// Unready (503) means this replica cannot serve: its redirect table never loaded, or it is shutting down.
/// </summary>
internal static class HealthEndpoints
{
    public const string ReadyTag = "ready";

    public static WebApplication MapGatewayHealth(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        app.MapHealthChecks(LivePath, LiveOptions).AllowAnonymous();
        app.MapHealthChecks(ReadyPath, ReadyOptions).AllowAnonymous();
        return app;
    }

    public const string LivePath = "/healthz";

    public const string ReadyPath = "/readyz";

    /// <summary>Alive: no check runs.</summary>
    public static HealthCheckOptions LiveOptions { get; } = new() { Predicate = _ => false };

    /// <summary>Ready: the checks tagged <see cref="ReadyTag"/>, reported as JSON.</summary>
    public static HealthCheckOptions ReadyOptions { get; } = new()
    {
        Predicate = check => check.Tags.Contains(ReadyTag),
        ResponseWriter = WriteReportAsync,
    };

    /// <summary>
    /// A check's own few words. When a check threw (or the service timed it out), the description is the exception's
    /// message, which can name addresses and versions: only that it failed is said.
    /// </summary>
    internal static string? Describe(HealthReportEntry entry) => entry.Exception is null ? entry.Description : "check failed";

    private static Task WriteReportAsync(HttpContext context, HealthReport report)
    {
        context.RequestServices.GetRequiredService<ReadinessLog>().Observe(report);
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        var checks = report.Entries.ToDictionary(
            entry => entry.Key,
            entry => new CheckReport(entry.Value.Status.ToString(), Describe(entry.Value)));
        return JsonSerializer.SerializeAsync(context.Response.Body,
            new ReadinessReport(report.Status.ToString(), checks),
            HostingJsonContext.Default.ReadinessReport,
            context.RequestAborted);
    }
}

internal sealed record ReadinessReport(string Status, Dictionary<string, CheckReport> Checks);

internal sealed record CheckReport(string Status, string? Description);

using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gateway.Strapi;

/// <summary>Ready when Strapi's <c>/_health</c> answers with a success status within <see cref="StrapiOptions.HealthTimeout"/>.</summary>
internal sealed class StrapiHealthCheck(HttpClient http) : IHealthCheck
{
    internal const string HealthPath = "_health";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var response = await http.GetAsync(HealthPath, cancellationToken);
            return response.IsSuccessStatusCode
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Degraded($"/_health answered {(int)response.StatusCode}");
        }
        catch (HttpRequestException)
        {
            return HealthCheckResult.Degraded("unreachable");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Degraded("timed out");
        }
    }
}

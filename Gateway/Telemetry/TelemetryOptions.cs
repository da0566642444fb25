using System.ComponentModel.DataAnnotations;

namespace Gateway.Telemetry;

/// <summary>
/// Traces, metrics and the management port. Section <c>Telemetry</c>. The OTLP exporter is configured by the standard
/// <c>OTEL_EXPORTER_OTLP_*</c> settings (environment or configuration): on when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
/// </summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "Telemetry";

    /// <summary>OpenTelemetry traces and metrics at all; read once at start. Off: no listener, no management port.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Where the management server listens (<c>/metrics</c>, <c>/healthz</c>, <c>/readyz</c>), apart from the public
    /// port; port 0 picks a free one. Empty: no management server.
    /// </summary>
    public string? ManagementUrl { get; set; } = "http://127.0.0.1:9464";

    /// <summary>Share of new traces kept (parent-based: a caller's sampled or unsampled decision is followed).</summary>
    [Range(0.0, 1.0)]
    public double TraceSampleRatio { get; set; } = 0.1;
}

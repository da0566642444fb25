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

    /// <summary>
    /// Traces at all. Unset (the default): on when a trace exporter is configured (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>),
    /// since spans nobody exports cost every request and show nobody anything; <c>true</c>: always (a test's in-memory
    /// exporter, say); <c>false</c>: never. ASP.NET Core's own request activity, and so the <c>traceparent</c> Strapi
    /// receives and the trace id in log scopes, stays either way.
    /// </summary>
    public bool? Traces { get; set; }

    /// <summary>Share of requests whose trace is kept, whatever the caller's <c>traceparent</c> says (see <see cref="TrustCallerSampling"/>).</summary>
    [Range(0.0, 1.0)]
    public double TraceSampleRatio { get; set; } = 0.1;

    /// <summary>
    /// Follow a caller's sampled flag. Off (the default) at the edge: the caller's trace id is continued, but whether the
    /// trace is kept is the gateway's own draw at <see cref="TraceSampleRatio"/>, so a forged <c>traceparent</c> ending in
    /// <c>-01</c> on every request cannot make the gateway record and export every request. On behind a trusted tier
    /// that samples for the gateway.
    /// </summary>
    public bool TrustCallerSampling { get; set; }
}

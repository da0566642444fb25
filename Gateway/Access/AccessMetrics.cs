using System.Diagnostics.Metrics;

namespace Gateway.Access;

/// <summary>The access-control instruments on the "Gateway" meter.</summary>
internal sealed class AccessMetrics
{
    public const string MeterName = Telemetry.GatewayMeter.Name;

    private readonly Counter<long> _signInFailures;

    public AccessMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);

        var meter = meters.Create(MeterName);
        _signInFailures = meter.CreateCounter<long>("gateway.access.sign_in_failures", unit: "{failure}",
            description: "Sign-ins refused: wrong credentials, or too many failures for the identifier.");
    }

    /// <summary><paramref name="reason"/>: <c>credentials</c> or <c>locked</c>.</summary>
    public void SignInFailed(string reason) => _signInFailures.Add(1, new KeyValuePair<string, object?>("reason", reason));
}

namespace Gateway.Telemetry;

/// <summary>The gateway's own meter: every feature creates its instruments (<c>gateway.&lt;area&gt;.&lt;what&gt;</c>) on it.</summary>
public static class GatewayMeter
{
    public const string Name = "Gateway";
}

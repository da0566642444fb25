namespace Gateway.Hosting;

/// <summary>The meter every feature's instruments are created on (instrument names <c>gateway.&lt;area&gt;.&lt;what&gt;</c>).</summary>
internal static class GatewayMeter
{
    public const string Name = "Gateway";
}

namespace Gateway.Telemetry;

public static class UpstreamOutageHttpClientBuilderExtensions
{
    /// <summary>
    /// Reports every call of this client to the outage log of <paramref name="upstream"/> (e.g. <see cref="Upstreams.RateApi"/>):
    /// an answer is a success, a call that got none (refused, reset, unknown host) a failure. A timeout shows here as a
    /// cancellation, which is neither: report it with <c>UpstreamOutages.For(upstream).Failed("timed out")</c> where it is caught.
    /// </summary>
    public static IHttpClientBuilder AddUpstreamOutageLog(this IHttpClientBuilder builder, string upstream)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(upstream);

        return builder.AddHttpMessageHandler(sp => new UpstreamOutageHandler(sp.GetRequiredService<UpstreamOutages>().For(upstream)));
    }
}

using OpenTelemetry.Trace;

namespace Gateway.Telemetry;

/// <summary>
/// The sampler at the edge: a span under a parent in this process follows its parent; a new trace, or one a caller
/// started, is kept with probability <c>ratio</c> by a draw of the gateway's own, not from the trace id, which the
/// caller chooses. With <c>trustCaller</c>, a caller's sampled flag is followed instead (plain parent-based sampling).
/// </summary>
internal static class EdgeSampler
{
    public static Sampler Create(double ratio, bool trustCaller)
    {
        var own = new RandomRatioSampler(ratio);
        return trustCaller
            ? new ParentBasedSampler(own)
            : new ParentBasedSampler(own, own, own, null, null);
    }

    private sealed class RandomRatioSampler(double ratio) : Sampler
    {
        private static readonly SamplingResult Keep = new(SamplingDecision.RecordAndSample);
        private static readonly SamplingResult Drop = new(SamplingDecision.Drop);

        public override SamplingResult ShouldSample(in SamplingParameters samplingParameters)
            => ratio > 0 && (ratio >= 1 || Random.Shared.NextDouble() < ratio) ? Keep : Drop;
    }
}

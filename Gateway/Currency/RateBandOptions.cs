namespace Gateway.Currency;

/// <summary>
/// The band around a currency's fallback rate that a rate must fall in to be used. Section <c>Currency:RateBand</c>.
/// A rate outside it (the API answering <c>1e20</c> or <c>1e-7</c>) is an outlier: the last good rate stays.
/// </summary>
public sealed class RateBandOptions
{
    /// <summary>The lowest rate used, as a multiple of the fallback (0.2: EUR 0.86 → 0.172).</summary>
    public decimal Lowest { get; set; } = 0.2m;

    /// <summary>The highest rate used, as a multiple of the fallback (5: EUR 0.86 → 4.3).</summary>
    public decimal Highest { get; set; } = 5m;
}

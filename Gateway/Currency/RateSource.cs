namespace Gateway.Currency;

/// <summary>Where the rate of a currency view came from; <c>meta.currency.source</c>.</summary>
internal enum RateSource
{
    /// <summary>Fetched from the rate API by this gateway, within the freshness time.</summary>
    Live,

    /// <summary>Taken from the shared Redis cache (another replica or an earlier process fetched it), within the freshness time.</summary>
    Cached,

    /// <summary>The last good rate, older than the freshness time: the API failed, or a refresh is still under way.</summary>
    Stale,

    /// <summary>No rate was ever obtained: the configured fallback.</summary>
    Fallback,
}

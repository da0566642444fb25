namespace Gateway.Currency;

/// <summary>The currency views: where the exchange rate comes from, how long it counts as fresh, and the fallbacks. Section <c>Currency</c>.</summary>
public sealed class CurrencyOptions
{
    public const string SectionName = "Currency";

    /// <summary>The exchange-rate API.</summary>
    public RateApiOptions RateApi { get; } = new();

    /// <summary>The band around each fallback rate outside which a rate from the API or Redis is not used.</summary>
    public RateBandOptions RateBand { get; } = new();

    /// <summary>The currency Strapi's amounts are in; the rate API is asked for its rates.</summary>
    public string BaseCurrency { get; set; } = "USD";

    /// <summary>How long a fetched rate counts as current. Past it, the next request starts a refresh in the background.</summary>
    public TimeSpan Freshness { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The least time between two refresh attempts, so a failing API is not asked on every request.</summary>
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long the rates stay in Redis: the last good rate, for every replica and restart, while the API fails.</summary>
    public TimeSpan CacheLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>The Redis key of the shared rates is this prefix followed by <see cref="BaseCurrency"/>.</summary>
    public string CacheKeyPrefix { get; set; } = "gateway:currency:rates:";

    /// <summary>
    /// The currencies the views may convert to, each with the rate used when no rate was ever obtained (EUR 0.86).
    /// A <c>CurrencyView</c> route may only name a currency listed here.
    /// </summary>
    public Dictionary<string, decimal> Fallback { get; } = new(StringComparer.OrdinalIgnoreCase);

    internal string CacheKey => CacheKeyPrefix + BaseCurrency;

    /// <summary>True when <paramref name="rate"/> is positive and within <see cref="RateBand"/> around the currency's fallback.</summary>
    internal bool IsPlausible(string currency, decimal rate)
        => Fallback.TryGetValue(currency, out var fallback)
            && rate > 0 && rate >= fallback * RateBand.Lowest && rate <= fallback * RateBand.Highest;

    internal bool Converts(string? currency)
        => currency is not null && Fallback.TryGetValue(currency, out var rate) && rate > 0;
}

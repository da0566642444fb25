namespace Gateway.Currency;

/// <summary>The rate from the base currency to another. Never fails: with no rate at all it answers the configured fallback.</summary>
internal interface IExchangeRateProvider
{
    ValueTask<CurrencyQuote> GetRateAsync(string currency, CancellationToken cancel);
}

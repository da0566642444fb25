namespace Gateway.Currency;

/// <summary>The rate a view converts with: <c>meta.currency</c>. <see cref="AsOf"/> is the API's own update time, none for a fallback.</summary>
internal readonly record struct CurrencyQuote(string Code, decimal Rate, RateSource Source, DateTimeOffset? AsOf);

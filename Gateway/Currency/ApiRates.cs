namespace Gateway.Currency;

/// <summary>What the rate API answered: its update time and the rates from the base currency.</summary>
internal sealed record ApiRates(DateTimeOffset? AsOf, IReadOnlyDictionary<string, decimal> Rates);

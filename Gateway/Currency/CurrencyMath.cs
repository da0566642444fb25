namespace Gateway.Currency;

internal static class CurrencyMath
{
    /// <summary>Integer cents times the rate, in decimal arithmetic, rounded half away from zero to whole cents.</summary>
    public static long Convert(long cents, decimal rate)
        => decimal.ToInt64(Math.Round(cents * rate, 0, MidpointRounding.AwayFromZero));
}

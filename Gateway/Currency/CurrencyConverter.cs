namespace Gateway.Currency;

/// <summary>
/// <see cref="CurrencyMath.Convert"/> at one rate for a page of amounts, with the same answers, in integer arithmetic when
/// that is exact: a rate of at most 31 significant bits and 18 decimals (every real one: 0.86 is 86 / 10^2) times an amount
/// within ±2^31 cents is below 2^62, so the decimal product is exact and rounding it half away from zero is integer division
/// plus a look at the remainder. Anything else goes through the decimal path.
/// </summary>
internal readonly struct CurrencyConverter
{
    private const int MaxScale = 18;

    private readonly decimal _rate;
    private readonly long _numerator;
    private readonly long _denominator;

    public CurrencyConverter(decimal rate)
    {
        _rate = rate;
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(rate, bits);
        var scale = (bits[3] >> 16) & 0xFF;
        if (bits[2] == 0 && bits[1] == 0 && bits[0] >= 0 && scale <= MaxScale)
        {
            _numerator = bits[3] < 0 ? -(long)bits[0] : bits[0];
            _denominator = 1;
            for (var i = 0; i < scale; i++)
            {
                _denominator *= 10;
            }
        }
    }

    /// <summary>Integer cents times the rate, rounded half away from zero to whole cents.</summary>
    /// <exception cref="OverflowException">The result is beyond <see cref="long"/>.</exception>
    public long Convert(long cents)
    {
        if (_denominator == 0 || cents is < int.MinValue or > int.MaxValue)
        {
            return CurrencyMath.Convert(cents, _rate);
        }

        var product = cents * _numerator;
        var quotient = Math.DivRem(product, _denominator, out var remainder);
        return Math.Abs(remainder) * 2 >= _denominator ? quotient + Math.Sign(product) : quotient;
    }
}

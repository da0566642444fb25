using Gateway.Currency;

namespace Gateway.Tests.Currency;

public sealed class CurrencyMathTests
{
    [Theory]
    [InlineData(15795, "0.86", 13584)]   // 13583.7
    [InlineData(15795, "0.9", 14216)]    // 14215.5: half away from zero, not to even (14216 either way)
    [InlineData(5, "0.5", 3)]            // 2.5 → 3, banker's rounding would say 2
    [InlineData(1, "0.5", 1)]            // 0.5 → 1
    [InlineData(-5, "0.5", -3)]          // away from zero on the negative side too
    [InlineData(100, "1.005", 101)]      // 100.5 exactly in decimal; 100.49999… in double
    [InlineData(12345, "0.8612", 10632)] // 10631.514
    [InlineData(0, "0.86", 0)]
    [InlineData(2147483647, "0.86", 1846835936)] // 1846835936.42
    public void Convert_DecimalArithmetic_HalfAwayFromZero(long cents, string rate, long expected)
    {
        Assert.Equal(expected, CurrencyMath.Convert(cents, decimal.Parse(rate, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Convert_DiffersFromFloatWhereFloatIsWrong()
    {
        Assert.Equal(100, (long)Math.Round(100 * 1.005, MidpointRounding.AwayFromZero));
        Assert.Equal(101, CurrencyMath.Convert(100, 1.005m));
    }
}

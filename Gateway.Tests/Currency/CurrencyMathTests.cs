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

    [Theory]
    [InlineData("0.86")]
    [InlineData("0.860")]
    [InlineData("0.9")]
    [InlineData("0.5")]
    [InlineData("1")]
    [InlineData("1.005")]
    [InlineData("0.8612")]
    [InlineData("1.5")]
    [InlineData("0.000000000000000001")]  // 18 decimals: the integer path's limit
    [InlineData("0.0000000000000000001")] // 19: the decimal path
    [InlineData("2147483647")]
    [InlineData("2147483648")]            // 32 bits: the decimal path
    [InlineData("123456.789")]
    [InlineData("-0.86")]
    [InlineData("0")]
    public void Converter_SameAsConvert(string rateText)
    {
        var rate = decimal.Parse(rateText, System.Globalization.CultureInfo.InvariantCulture);
        var converter = new CurrencyConverter(rate);
        var random = new Random(rateText.Length);
        long[] edges = [0, 1, -1, 5, -5, 50, -50, 15795, int.MaxValue, int.MinValue, int.MaxValue + 1L, int.MinValue - 1L, long.MaxValue, long.MinValue, 999_999_999_999];
        foreach (var cents in edges.Concat(Enumerable.Range(0, 2000).Select(i => i % 2 == 0 ? random.NextInt64(-100_000_000, 100_000_000) : random.NextInt64(int.MinValue, int.MaxValue + 1L))))
        {
            Assert.Equal(Outcome(() => CurrencyMath.Convert(cents, rate)), Outcome(() => converter.Convert(cents)));
        }
    }

    private static string Outcome(Func<long> convert)
    {
        try
        {
            return convert().ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (OverflowException)
        {
            return "overflow";
        }
    }
}

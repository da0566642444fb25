namespace Gateway.Currency;

/// <summary>The <c>currency</c> object of a view as written for <see cref="Quote"/>, reused while the quote stays the same.</summary>
internal sealed class CurrencyBlock(CurrencyQuote quote, byte[] json)
{
    public CurrencyQuote Quote { get; } = quote;

    public byte[] Json { get; } = json;

    /// <summary>
    /// Whether <paramref name="other"/> writes the same block: the same code, source and instant, and the rate in the same
    /// representation (0.86 and 0.860 are equal decimals but are written differently).
    /// </summary>
    public bool Matches(CurrencyQuote other)
    {
        if (!string.Equals(Quote.Code, other.Code, StringComparison.Ordinal) || Quote.Source != other.Source || Quote.AsOf != other.AsOf)
        {
            return false;
        }

        Span<int> mine = stackalloc int[4];
        Span<int> theirs = stackalloc int[4];
        decimal.GetBits(Quote.Rate, mine);
        decimal.GetBits(other.Rate, theirs);
        return mine.SequenceEqual(theirs);
    }
}

using System.Text;
using Gateway.Currency;

namespace Gateway.Tests.Currency;

public sealed class ExchangeRateApiClientTests
{
    [Fact]
    public void OpenErApiShape_RatesAsDecimalAndUpdateTime()
    {
        var rates = ExchangeRateApiClient.Parse(Encoding.UTF8.GetBytes(CurrencyShapes.Rates(("EUR", 0.8612m), ("GBP", 0.79m))));

        Assert.NotNull(rates);
        Assert.Equal(0.8612m, rates.Rates["EUR"]);
        Assert.Equal(0.8612m, rates.Rates["eur"]);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(CurrencyShapes.UpdatedUnix), rates.AsOf);
    }

    [Theory]
    [InlineData("""{"result":"error","error-type":"unsupported-code"}""")]
    [InlineData("""{"result":"success"}""")]
    [InlineData("""{"result":"success","rates":[0.86]}""")]
    [InlineData("""{"rates":{"EUR":0.86}}""")]
    [InlineData("""{"result":"success","rates":{"EUR":""")]
    [InlineData("<html>rate limited</html>")]
    [InlineData("")]
    [InlineData("[]")]
    public void NotARateTable_Null(string body)
    {
        Assert.Null(ExchangeRateApiClient.Parse(Encoding.UTF8.GetBytes(body)));
    }

    [Fact]
    public void NonPositiveOrNonNumericRates_Left_Out()
    {
        var rates = ExchangeRateApiClient.Parse("""{"result":"success","rates":{"EUR":0,"GBP":"0.79","JPY":-1,"CHF":0.88,"X":1e400}}"""u8);

        Assert.NotNull(rates);
        Assert.Equal(["CHF"], rates.Rates.Keys);
        Assert.Null(rates.AsOf);
    }
}

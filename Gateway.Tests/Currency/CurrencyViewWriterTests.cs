using System.Buffers;
using System.Text;
using System.Text.Json;
using Gateway.Currency;

namespace Gateway.Tests.Currency;

public sealed class CurrencyViewWriterTests
{
    private static readonly CurrencyQuote Eur = new("EUR", 0.86m, RateSource.Cached, DateTimeOffset.FromUnixTimeSeconds(CurrencyShapes.UpdatedUnix));

    [Fact]
    public void StrapiPage_ContractShape()
    {
        var view = Write(CurrencyShapes.Page(15795, 0));

        var expected =
            """{"data":[{"date":"2022-12-06","amount":13584,"invoice_status":"pending","customer":{"name":"Evil Rabbit","email":"evil.rabbit@example.com","image_url":"/customers/1.png"}},"""
            + """{"date":"2022-12-06","amount":0,"invoice_status":"pending","customer":{"name":"Evil Rabbit","email":"evil.rabbit@example.com","image_url":"/customers/2.png"}}],"""
            + "\"meta\":{\"pagination\":" + CurrencyShapes.Pagination
            + ",\"currency\":{\"code\":\"EUR\",\"rate\":0.86,\"source\":\"cached\",\"asOf\":\"" + CurrencyShapes.UpdatedIso + "\"}}}";
        Assert.Equal(expected, view);
    }

    [Fact]
    public void MetaBeforeData_DataStillFirst_NoCustomerAndMissingFieldsAreNull()
    {
        const string strapi = """{"meta":{"pagination":{"page":1}},"data":[{"id":1,"amount":null,"customer":null},{"amount":7,"date":"x"}]}""";

        var view = Write(strapi, Eur with { Source = RateSource.Fallback, AsOf = null });

        Assert.Equal(
            """{"data":[{"date":null,"amount":null,"invoice_status":null,"customer":null},{"date":"x","amount":6,"invoice_status":null,"customer":null}],"meta":{"pagination":{"page":1},"currency":{"code":"EUR","rate":0.86,"source":"fallback","asOf":null}}}""",
            view);
    }

    [Fact]
    public void EscapedAndUnicodeStrings_CopiedAsStrapiWroteThem()
    {
        const string strapi = """{"data":[{"amount":1,"customer":{"name":"Ana \"A\" Lé\u00e9","email":"a@b.c","image_url":null,"id":3}}],"meta":{}}""";

        var view = JsonDocument.Parse(Write(strapi)).RootElement;

        var customer = view.GetProperty("data")[0].GetProperty("customer");
        Assert.Equal("Ana \"A\" Léé", customer.GetProperty("name").GetString());
        Assert.False(customer.TryGetProperty("id", out _));
        Assert.False(view.GetProperty("meta").TryGetProperty("pagination", out _));
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("""{"data":null}""")]
    [InlineData("""{"meta":{}}""")]
    [InlineData("""{"data":[{"amount":"12"}]}""")]
    [InlineData("""{"data":[{"amount":1.5}]}""")]
    [InlineData("""{"data":[1]}""")]
    [InlineData("""{"data":[{"amount":1}""")]
    public void NotStrapisListEnvelope_Throws(string strapi)
    {
        Assert.ThrowsAny<JsonException>(() => Write(strapi));
    }

    private static string Write(string strapi, CurrencyQuote? quote = null)
    {
        var output = new ArrayBufferWriter<byte>();
        CurrencyViewWriter.Write(Encoding.UTF8.GetBytes(strapi), output, quote ?? Eur);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }
}

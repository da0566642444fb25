using System.Text;
using Gateway.Strapi;

namespace Gateway.Tests.Strapi;

public sealed class DataEnvelopeTests
{
    [Theory]
    [InlineData("""{"amount":1}""", """{"data":{"amount":1}}""")]
    [InlineData("""{}""", """{"data":{}}""")]
    [InlineData("""{"data":1}""", """{"data":{"data":1}}""")]
    [InlineData("""{"data":"x"}""", """{"data":{"data":"x"}}""")]
    [InlineData("""{"data":[{"a":1}]}""", """{"data":{"data":[{"a":1}]}}""")]
    [InlineData("""{"meta":{"data":{}}}""", """{"data":{"meta":{"data":{}}}}""")]
    [InlineData("""[1,2]""", """{"data":[1,2]}""")]
    [InlineData("""{"name":"Amélie \u00e9"}""", """{"data":{"name":"Amélie \u00e9"}}""")]
    [InlineData("""{"data":{"amount":1}}""", """{"data":{"amount":1}}""")]
    [InlineData("""{"customer":"x","data":{"amount":1}}""", """{"customer":"x","data":{"amount":1}}""")]
    [InlineData("""{"amount":""", """{"amount":""")]
    [InlineData("""{"a":1}{"b":2}""", """{"a":1}{"b":2}""")]
    [InlineData("""amount=1""", """amount=1""")]
    [InlineData("", "")]
    [InlineData("   ", "   ")]
    public void Apply_WrapsBareJsonOnly(string body, string expected)
    {
        var result = DataEnvelope.Apply(Encoding.UTF8.GetBytes(body));

        Assert.Equal(expected, Encoding.UTF8.GetString(result));
    }

    [Fact]
    public void Apply_NothingToWrap_SameBufferBack()
    {
        var body = """{"data":{"amount":1}}"""u8.ToArray();

        Assert.Same(body, DataEnvelope.Apply(body));
    }

    [Fact]
    public void Classify_DeepNesting_IsNotJsonRatherThanACrash()
    {
        var deep = new string('[', 100_000) + new string(']', 100_000);

        Assert.Equal(DataEnvelope.Kind.NotJson, DataEnvelope.Classify(Encoding.ASCII.GetBytes(deep)));
    }
}

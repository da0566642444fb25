using System.Buffers;
using System.Globalization;
using System.Text;
using Gateway.Currency;

namespace Gateway.Tests.Currency;

/// <summary>
/// The shipped writer against <see cref="CurrencyViewWriterBaseline"/> (the writer before the raw-copy rewrite): the same
/// bytes out for every page, and the same exception type for every page that is refused.
/// </summary>
public sealed class CurrencyViewWriterRegressionTests
{
    private static readonly DateTimeOffset AsOf = DateTimeOffset.FromUnixTimeSeconds(CurrencyShapes.UpdatedUnix);

    public static TheoryData<string> Pages() =>
    [
        CurrencyShapes.Page(15795, 0, -1, 1, long.MaxValue / 2, long.MinValue / 2, 999_999_999_999),
        """{"data":[],"meta":{"pagination":{"page":1,"pageSize":25,"pageCount":0,"total":0}}}""",
        """{"data":[]}""",
        """{"meta":{"pagination":{"page":1}},"data":[{"id":1,"amount":null,"customer":null},{"amount":7,"date":"x"}]}""",
        """{"data":[{"amount":1,"customer":{"name":"Ana \"A\" L\u00e9\u00e9 \ud83d\ude00 \\ \/ \b\f\n\r\t","email":"a@b.c","image_url":null,"id":3}}],"meta":{}}""",
        """{"data":[{"date":"日本語 ✓ 😀","amount":12,"invoice_status":"pâid","customer":{"name":"Zoë Ærø","email":"ü@ß.de","image_url":"/c/ä.png"}}],"meta":{"pagination":{"page":1},"other":[1,2,{"a":null}]}}""",
        """{"data":[{"amount":5,"date":{"nested":[1,{"x":"y"}],"n":null},"invoice_status":[true,false,null],"customer":{"name":{"first":"A","last":"B"},"email":["a","b"],"image_url":12.5e-3,"extra":{"deep":[[[]]]}}}]}""",
        """{"data":[{"amount":5,"customer":"not an object"},{"amount":6,"customer":[1,2]},{"amount":7,"customer":{}},{"amount":8,"customer":{"name":null}}]}""",
        """{"data":[{"amount":3,"date":"first","date":"second","amount":4,"customer":{"name":"a"},"customer":{"email":"b"}}]}""",
        """{"data":[{"amount":3}],"data":[{"amount":4}],"meta":{"pagination":{"page":1}},"meta":{"nopagination":true}}""",
        """{"data":[{"amount":1e2}]}""",
        """{"data":[{"amount":-0}],"meta":null}""",
        """{"data":[{"amount":100,"date":1.7976931348623157e308,"invoice_status":-5e-324,"customer":{"name":123456789012345678901234567890,"email":true,"image_url":false}}]}""",
        """{"data":[{"d\u0061te":"escaped name","\u0061mount":9,"customer":{"n\u0061me":"x"}}],"m\u0065ta":{"p\u0061gination":{"page":3}}}""",
        "{\n  \"data\": [\n    {\n      \"id\": 1,\n      \"date\" : \"2022-12-06\",\n      \"amount\":\t4200,\n      \"customer\": { \"name\" : \"Spaced\" , \"email\": { \"a\" : [ 1 , 2 ] } }\n    }\n  ],\n  \"meta\": { \"pagination\" : { \"page\" : 1 ,\n \"total\" : 2 } }\n}\n",
        """{"data":[{"a_property_name_longer_than_sixty_four_bytes_which_matches_no_field_of_the_view":1,"amount":2,"datE":"x","dat":"y","customer":{"nam\u0065":"n","emai":"e"}}]}""",
        GeneratedPage(100, seed: 7),
        GeneratedPage(250, seed: 11),
    ];

    public static TheoryData<string> Refused() =>
    [
        "[]",
        "",
        """{"data":null}""",
        """{"meta":{}}""",
        """{"data":[{"amount":"12"}]}""",
        """{"data":[{"amount":1.5}]}""",
        """{"data":[{"amount":99999999999999999999}]}""",
        """{"data":[1]}""",
        """{"data":[{"amount":1}""",
        """{"data":[{"amount":1,}]}""",
        """{"data":[{"amount":9223372036854775807}]}""",
        """{"data":[{"amount":9223372036854775807,"date":}]}""",
        """{"data":[{"amount":-9223372036854775808}]}""",
    ];

    public static TheoryData<string> Quotes() =>
    [
        "EUR|0.86|Cached|asOf",
        "EUR|0.860|Live|asOf",
        "EUR|1|Stale|asOf",
        "EUR|1.00000001|Fallback|none",
        "GBP|0.0000001|Live|asOf",
        "EUR|2.5|Cached|asOf",
        "EUR|1.5|Cached|asOf",
    ];

    [Theory]
    [MemberData(nameof(Pages))]
    public void Page_SameBytesAsBaseline(string strapi)
    {
        foreach (var quote in Quotes())
        {
            var utf8 = Encoding.UTF8.GetBytes(strapi);
            var expected = Outcome(() => Run(CurrencyViewWriterBaseline.Write, utf8, Quote(quote)));
            var actual = Outcome(() => Run(CurrencyViewWriter.Write, utf8, Quote(quote)));
            Assert.Equal(expected, actual);
        }
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public void RefusedPage_SameExceptionAsBaseline(string strapi)
    {
        var utf8 = Encoding.UTF8.GetBytes(strapi);
        var refusals = 0;
        foreach (var quote in Quotes())
        {
            var expected = Outcome(() => Run(CurrencyViewWriterBaseline.Write, utf8, Quote(quote)));
            refusals += expected.StartsWith("threw ", StringComparison.Ordinal) ? 1 : 0;
            Assert.Equal(expected, Outcome(() => Run(CurrencyViewWriter.Write, utf8, Quote(quote))));
        }

        Assert.NotEqual(0, refusals); // an amount near long.MaxValue overflows only at a rate above 1
    }

    [Fact]
    public void QuoteChanges_EachViewCarriesItsOwnQuote()
    {
        var utf8 = Encoding.UTF8.GetBytes(CurrencyShapes.Page(100));
        foreach (var quote in (string[])["EUR|0.86|Cached|asOf", "EUR|0.860|Cached|asOf", "EUR|0.86|Live|asOf", "EUR|0.86|Live|none", "EUR|0.86|Cached|asOf"])
        {
            Assert.Equal(Run(CurrencyViewWriterBaseline.Write, utf8, Quote(quote)), Run(CurrencyViewWriter.Write, utf8, Quote(quote)));
        }
    }

    private delegate void Writer(ReadOnlySpan<byte> strapi, IBufferWriter<byte> output, CurrencyQuote quote);

    private static string Run(Writer writer, byte[] strapi, CurrencyQuote quote)
    {
        var output = new ArrayBufferWriter<byte>(16);
        writer(strapi, output, quote);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private static string Outcome(Func<string> write)
    {
        try
        {
            return write();
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or OverflowException)
        {
            return "threw " + e.GetType().Name;
        }
    }

    private static CurrencyQuote Quote(string spec)
    {
        var parts = spec.Split('|');
        return new CurrencyQuote(parts[0], decimal.Parse(parts[1], CultureInfo.InvariantCulture), Enum.Parse<RateSource>(parts[2]),
            parts[3] == "asOf" ? AsOf : null);
    }

    /// <summary>A page of random invoices: amounts from 0 to 2^62 either sign, strings with escapes and non-ASCII, nulls, missing fields.</summary>
    private static string GeneratedPage(int items, int seed)
    {
        var random = new Random(seed);
        string[] strings = ["plain", "with \\\"quotes\\\"", "\\u00e9t\\u00e9", "été", "😀 emoji", "tab\\there", "", "\\/slash"];
        string Value() => random.Next(6) switch
        {
            0 => "null",
            1 => random.NextInt64(-1_000_000, 1_000_000).ToString(CultureInfo.InvariantCulture),
            _ => "\"" + strings[random.Next(strings.Length)] + "\"",
        };

        var builder = new StringBuilder("{\"data\":[");
        for (var i = 0; i < items; i++)
        {
            builder.Append(i == 0 ? "{" : ",{").Append(CultureInfo.InvariantCulture, $"\"id\":{i},\"documentId\":{Value()}");
            if (random.Next(10) > 0)
            {
                builder.Append(",\"date\":").Append(Value());
            }

            var amount = random.Next(8) switch
            {
                0 => "null",
                1 => random.NextInt64(long.MinValue >> 1, long.MaxValue >> 1).ToString(CultureInfo.InvariantCulture),
                _ => random.NextInt64(-100_000, 10_000_000).ToString(CultureInfo.InvariantCulture),
            };
            builder.Append(",\"amount\":").Append(amount).Append(",\"invoice_status\":").Append(Value());
            builder.Append(",\"customer\":");
            if (random.Next(5) == 0)
            {
                builder.Append("null");
            }
            else
            {
                builder.Append(CultureInfo.InvariantCulture, $"{{\"id\":{i % 10},\"name\":{Value()},\"email\":{Value()}");
                if (random.Next(4) > 0)
                {
                    builder.Append(",\"image_url\":").Append(Value());
                }

                builder.Append('}');
            }

            builder.Append(",\"updatedAt\":").Append(Value()).Append('}');
        }

        return builder.Append("],\"meta\":{\"pagination\":{\"page\":1,\"pageSize\":").Append(items).Append("}}}").ToString();
    }
}

using System.Net;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Currency;

/// <summary>
/// Issue 14, item 2: a rate outside the band around the fallback is never used, and an amount too large to convert is a
/// 502 problem with no part of the view before it.
/// </summary>
public sealed class CurrencyRateSanityTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    [Theory]
    [InlineData("1e20")]
    [InlineData("1e-7")]
    [InlineData("0.1")]
    [InlineData("4.4")]
    public async Task ApiOutlier_NeverAnyRate_FallbackUsed_LoggedOnce(string outlier)
    {
        await using var gateway = await CurrencyGateway.StartAsync(redis.Server.Configuration);
        gateway.RateApi.Respond(200, RatesWithEur(outlier));

        for (var i = 0; i < 4; i++)
        {
            CurrencyViewTests.AssertCurrency(await gateway.GetViewAsync(), "EUR", 0.86m, "fallback");
            await Task.Delay(100);
        }

        Assert.True(gateway.RateApi.Requests.Count >= 2, "the gateway kept asking the API");
        Assert.Single(gateway.Logs.Lines, line => line.Contains("outside 0.2–5 × its fallback", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ApiOutlierAfterAGoodRate_LastGoodRateStays_NotSharedInRedis()
    {
        await using var gateway = await CurrencyGateway.StartAsync(redis.Server.Configuration,
            new Dictionary<string, string?> { ["Currency:Freshness"] = CurrencyGateway.Seconds(0.2) });
        CurrencyViewTests.AssertCurrency(await gateway.GetViewAsync(), "EUR", 0.9m, "live");
        gateway.RateApi.Respond(200, RatesWithEur("1e20"));
        await Task.Delay(300);

        for (var i = 0; i < 3; i++)
        {
            CurrencyViewTests.AssertCurrency(await gateway.GetViewAsync(), "EUR", 0.9m, "stale");
            await Task.Delay(250);
        }

        // A replica starting now on the same Redis finds the good rate, never the outlier.
        await using var replica = await CurrencyGateway.StartAsync(redis.Server.Configuration, cacheKeyPrefix: gateway.CacheKeyPrefix);
        replica.RateApi.Respond(200, RatesWithEur("1e-7"));
        var view = await replica.GetViewAsync();
        Assert.Equal(0.9m, view.GetProperty("meta").GetProperty("currency").GetProperty("rate").GetDecimal());
    }

    [Fact]
    public async Task AmountTooLargeToConvert_502Problem_NoPartialView()
    {
        await using var gateway = await CurrencyGateway.StartAsync(redis.Server.Configuration);
        gateway.RateApi.Respond(200, RatesWithEur("1.5"));
        gateway.Strapi.Respond(200, CurrencyShapes.Page(100, long.MaxValue));

        using var response = await gateway.Client.GetAsync(new Uri(CurrencyGateway.Path, UriKind.Relative));

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadGateway);
        Assert.False(problem.TryGetProperty("data", out _));
        Assert.StartsWith("{\"type\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static string RatesWithEur(string eur)
        => $$$"""{"result":"success","time_last_update_unix":{{{CurrencyShapes.UpdatedUnix}}},"rates":{"USD":1,"EUR":{{{eur}}},"GBP":0.79}}""";
}

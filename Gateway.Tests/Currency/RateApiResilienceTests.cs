using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Currency;

/// <summary>Issue 15, resilience: the rate API's client breaks its circuit after two failures in a row (Microsoft.Extensions.Http.Resilience).</summary>
public sealed class RateApiResilienceTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    [Fact]
    public async Task ApiFailsTwice_NotAskedAgainWhileTheCircuitIsOpen_FallbackServed()
    {
        // RetryInterval 0: without the breaker every request that finds no rate would ask the API again.
        await using var gateway = await CurrencyGateway.StartAsync(redis.Server.Configuration,
            new Dictionary<string, string?> { ["Currency:RetryInterval"] = CurrencyGateway.Seconds(0) });
        gateway.RateApi.Respond(500);

        for (var i = 0; i < 8; i++)
        {
            CurrencyViewTests.AssertCurrency(await gateway.GetViewAsync(), "EUR", 0.86m, "fallback");
            await Task.Delay(20);
        }

        Assert.Equal(2, gateway.RateApi.Requests.Count);
    }
}

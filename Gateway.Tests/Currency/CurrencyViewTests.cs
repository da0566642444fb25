using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Currency;

/// <summary>The EUR view through the real gateway: what it asks Strapi, what it answers, and which rate it uses when.</summary>
public sealed class CurrencyViewTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    private static readonly string[] InvoiceFields = ["date", "amount", "invoice_status", "customer"];

    [Fact]
    public async Task ApiAnswers_Live_AmountsConvertedHalfAwayFromZero()
    {
        await using var gateway = await CurrencyGateway.StartAsync(redis.Server.Configuration);

        var view = await gateway.GetViewAsync();

        var items = view.GetProperty("data").EnumerateArray().ToList();
        // 15795 × 0.9 = 14215.5 → 14216; 100 × 0.9 = 90; 5 × 0.9 = 4.5 → 5.
        Assert.Equal([14216L, 90L, 5L], items.Select(item => item.GetProperty("amount").GetInt64()));
        Assert.All(items, item => Assert.Equal(InvoiceFields, item.EnumerateObject().Select(p => p.Name)));
        Assert.Equal(["name", "email", "image_url"], items[0].GetProperty("customer").EnumerateObject().Select(p => p.Name));
        Assert.Equal("Evil Rabbit", items[0].GetProperty("customer").GetProperty("name").GetString());
        Assert.Equal("2022-12-06", items[0].GetProperty("date").GetString());
        AssertCurrency(view, "EUR", 0.9m, "live");
        Assert.Equal(CurrencyShapes.UpdatedIso, view.GetProperty("meta").GetProperty("currency").GetProperty("asOf").GetString());
        Assert.Equal("/v6/latest/USD", gateway.RateApi.OnlyRequest().Target);
    }

    [Fact]
    public async Task Query_ViewFieldsAndClientsPage_OtherKeysDropped()
    {
        await using var gateway = await CurrencyGateway.StartAsync(redis.Server.Configuration);

        var view = await gateway.GetViewAsync(
            CurrencyGateway.Path + "?page=2&pageSize=3&filters[invoice_status][$eq]=paid&sort=date:desc&populate=customer&fields[0]=id&status=published&_rsc=1");

        var target = Uri.UnescapeDataString(gateway.Strapi.OnlyRequest().Target);
        Assert.StartsWith("/api/invoices?", target, StringComparison.Ordinal);
        string[] expected =
        [
            "pagination[page]=2", "pagination[pageSize]=3", "filters[invoice_status][$eq]=paid", "sort=date:desc",
            "fields[0]=date", "fields[1]=amount", "fields[2]=invoice_status",
            "populate[customer][fields][0]=name", "populate[customer][fields][1]=email", "populate[customer][fields][2]=image_url",
        ];
        Assert.Equal(expected.Order(StringComparer.Ordinal), target[(target.IndexOf('?', StringComparison.Ordinal) + 1)..].Split('&').Order(StringComparer.Ordinal));
        Assert.Null(gateway.Strapi.OnlyRequest().Header("Accept-Encoding"));
        Assert.Equal(JsonSerializer.Serialize(JsonDocument.Parse(CurrencyShapes.Pagination).RootElement),
            JsonSerializer.Serialize(view.GetProperty("meta").GetProperty("pagination")));
    }

    [Fact]
    public async Task StrapisOwnPagination_Wins()
    {
        await using var gateway = await CurrencyGateway.StartAsync(redis.Server.Configuration);

        await gateway.GetViewAsync(CurrencyGateway.Path + "?pagination[page]=4&pagination[pageSize]=100&page=9");

        var target = Uri.UnescapeDataString(gateway.Strapi.OnlyRequest().Target);
        Assert.Contains("pagination[page]=4", target, StringComparison.Ordinal);
        Assert.Contains("pagination[pageSize]=100", target, StringComparison.Ordinal);
        Assert.DoesNotContain("=9", target, StringComparison.Ordinal);
    }

    public static TheoryData<string> BrokenApis() => ["500", "error", "garbage", "missing-currency", "hang", "unreachable"];

    [Theory]
    [MemberData(nameof(BrokenApis))]
    public async Task ApiNeverAnswered_Fallback_RequestSucceeds(string fault)
    {
        await using var gateway = await CurrencyGateway.StartAsync(redis.Server.Configuration, fault == "unreachable"
            ? new Dictionary<string, string?> { ["Currency:RateApi:BaseUrl"] = $"http://127.0.0.1:{FreePort.Next()}/" }
            : null);
        Break(gateway.RateApi, fault);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var view = await gateway.GetViewAsync();

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"answered in {clock.Elapsed}, the rate API's timeout is 0.5 s");
        AssertCurrency(view, "EUR", 0.86m, "fallback");
        Assert.Equal(JsonValueKind.Null, view.GetProperty("meta").GetProperty("currency").GetProperty("asOf").ValueKind);
        // 15795 × 0.86 = 13583.7 → 13584; 5 × 0.86 = 4.3 → 4.
        Assert.Equal([13584L, 86L, 4L], view.GetProperty("data").EnumerateArray().Select(item => item.GetProperty("amount").GetInt64()));
    }

    [Theory]
    [InlineData("500")]
    [InlineData("garbage")]
    [InlineData("missing-currency")]
    [InlineData("hang")]
    public async Task ApiFailsAfterALiveRate_StaleLastGoodRate_WithoutWaiting(string fault)
    {
        await using var gateway = await CurrencyGateway.StartAsync(redis.Server.Configuration, new Dictionary<string, string?>
        {
            ["Currency:Freshness"] = CurrencyGateway.Seconds(0.3),
            ["Currency:RateApi:Timeout"] = CurrencyGateway.Seconds(2),
        });
        AssertCurrency(await gateway.GetViewAsync(), "EUR", 0.9m, "live");
        Break(gateway.RateApi, fault);
        await Task.Delay(400);

        for (var i = 0; i < 3; i++)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var view = await gateway.GetViewAsync();
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"answered in {clock.Elapsed}: it waited on the rate API (timeout 2 s)");
            AssertCurrency(view, "EUR", 0.9m, "stale");
            await Task.Delay(300);
        }

        Assert.True(gateway.RateApi.Requests.Count >= 2, "the gateway kept trying the API");
    }

    [Fact]
    public async Task RateOlderThanFreshness_RefreshedInBackground_OneCallAtATime()
    {
        await using var gateway = await CurrencyGateway.StartAsync(redis.Server.Configuration,
            new Dictionary<string, string?> { ["Currency:Freshness"] = CurrencyGateway.Seconds(0.3) });
        AssertCurrency(await gateway.GetViewAsync(), "EUR", 0.9m, "live");
        gateway.RateApi.Handler = async context =>
        {
            await Task.Delay(300, context.RequestAborted);
            await context.Response.WriteAsync(CurrencyShapes.Rates(("EUR", 0.95m)), context.RequestAborted);
        };
        await Task.Delay(400);

        var views = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => gateway.GetViewAsync()));

        Assert.All(views, view => AssertCurrency(view, "EUR", 0.9m, "stale"));
        await Task.Delay(450);
        AssertCurrency(await gateway.GetViewAsync(), "EUR", 0.95m, "live");
        Assert.Equal(2, gateway.RateApi.Requests.Count);
    }

    [Fact]
    public async Task SecondReplicaOnSameRedis_Cached_WithoutAskingTheApi()
    {
        await using var first = await CurrencyGateway.StartAsync(redis.Server.Configuration);
        AssertCurrency(await first.GetViewAsync(), "EUR", 0.9m, "live");

        await using var second = await CurrencyGateway.StartAsync(redis.Server.Configuration, cacheKeyPrefix: first.CacheKeyPrefix);
        second.RateApi.Respond(500);
        var view = await second.GetViewAsync();

        AssertCurrency(view, "EUR", 0.9m, "cached");
        Assert.Equal(CurrencyShapes.UpdatedIso, view.GetProperty("meta").GetProperty("currency").GetProperty("asOf").GetString());
        Assert.Empty(second.RateApi.Requests);
    }

    [Fact]
    public async Task RestartWhileApiDown_LastGoodRateFromRedis_Stale()
    {
        var settings = new Dictionary<string, string?> { ["Currency:Freshness"] = CurrencyGateway.Seconds(0.3) };
        await using var first = await CurrencyGateway.StartAsync(redis.Server.Configuration, settings);
        AssertCurrency(await first.GetViewAsync(), "EUR", 0.9m, "live");
        await Task.Delay(400);

        await using var second = await CurrencyGateway.StartAsync(redis.Server.Configuration, settings, first.CacheKeyPrefix);
        second.RateApi.Respond(500);

        // A cold gateway's first requests wait for its first refresh at most Currency:RateApi:Timeout (0.5 s here) and
        // then get the fallback, by design; on a loaded machine that refresh (Redis, then the failing API) can take longer.
        // What must hold: once it is done, the rate is the last good one from Redis, never the fallback.
        var view = await second.GetViewAsync();
        for (var i = 0; i < 50 && view.GetProperty("meta").GetProperty("currency").GetProperty("source").GetString() == "fallback"; i++)
        {
            await Task.Delay(100);
            view = await second.GetViewAsync();
        }

        AssertCurrency(view, "EUR", 0.9m, "stale");
    }

    [Fact]
    public async Task RedisDown_RatesKeptInProcess()
    {
        await using var own = await RedisServer.StartAsync();
        await using var gateway = await CurrencyGateway.StartAsync(own.Configuration, new Dictionary<string, string?>
        {
            ["Currency:Freshness"] = CurrencyGateway.Seconds(0.3),
            ["Redis:Timeout"] = "00:00:00.500",
        });
        await own.StopAsync();

        AssertCurrency(await gateway.GetViewAsync(), "EUR", 0.9m, "live");
        gateway.RateApi.Respond(503);
        await Task.Delay(400);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var view = await gateway.GetViewAsync();

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"answered in {clock.Elapsed}");
        AssertCurrency(view, "EUR", 0.9m, "stale");
    }

    [Fact]
    public async Task FurtherLocales_ByConfigurationAlone()
    {
        await using var gateway = await CurrencyGateway.StartAsync(redis.Server.Configuration, new Dictionary<string, string?>
        {
            ["Currency:Fallback:GBP"] = "0.79",
            ["ReverseProxy:Routes:invoices-gb:ClusterId"] = "strapi",
            ["ReverseProxy:Routes:invoices-gb:Match:Path"] = "/api/v2/invoices/gb",
            ["ReverseProxy:Routes:invoices-gb:Match:Methods:0"] = "GET",
            ["ReverseProxy:Routes:invoices-gb:Transforms:0:PathSet"] = "/api/invoices",
            ["ReverseProxy:Routes:invoices-gb:Transforms:1:CurrencyView"] = "GBP",
            ["ReverseProxy:Routes:invoices-de:ClusterId"] = "strapi",
            ["ReverseProxy:Routes:invoices-de:Match:Path"] = "/api/v2/invoices/de",
            ["ReverseProxy:Routes:invoices-de:Transforms:0:PathSet"] = "/api/invoices",
            ["ReverseProxy:Routes:invoices-de:Transforms:1:CurrencyView"] = "EUR",
        });

        var gb = await gateway.GetViewAsync("/api/v2/invoices/gb");
        var de = await gateway.GetViewAsync("/api/v2/invoices/de");

        AssertCurrency(gb, "GBP", 0.79m, "live");
        // 15795 × 0.79 = 12478.05 → 12478.
        Assert.Equal(12478, gb.GetProperty("data")[0].GetProperty("amount").GetInt64());
        AssertCurrency(de, "EUR", 0.9m, "live");
        Assert.Single(gateway.RateApi.Requests);
    }

    [Theory]
    [InlineData(404)]
    [InlineData(400)]
    public async Task StrapiError_PassedThroughUnchanged(int status)
    {
        await using var gateway = await CurrencyGateway.StartAsync(redis.Server.Configuration);
        gateway.Strapi.Respond(status, StrapiShapes.NotFound());

        using var response = await gateway.Client.GetAsync(new Uri(CurrencyGateway.Path, UriKind.Relative));

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(StrapiShapes.NotFound(), await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task StrapiAnswersSomethingElse_502Problem()
    {
        await using var gateway = await CurrencyGateway.StartAsync(redis.Server.Configuration);
        gateway.Strapi.Respond(200, "[1,2,3]");

        using var response = await gateway.Client.GetAsync(new Uri(CurrencyGateway.Path, UriKind.Relative));

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadGateway);
    }

    [Fact]
    public async Task StrapiHangs_504Problem()
    {
        await using var gateway = await CurrencyGateway.StartAsync(redis.Server.Configuration,
            new Dictionary<string, string?> { ["ReverseProxy:Clusters:strapi:HttpRequest:ActivityTimeout"] = "00:00:01" });
        gateway.Strapi.Hang();

        using var response = await gateway.Client.GetAsync(new Uri(CurrencyGateway.Path, UriKind.Relative));

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.GatewayTimeout);
    }

    [Fact]
    public async Task ClientLeavesWhileStrapiSendsThePage_QuietEnd_StrapiReleased()
    {
        await using var gateway = await CurrencyGateway.StartAsync(redis.Server.Configuration);
        var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        gateway.Strapi.Handler = async context =>
        {
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = 10_000;
            await context.Response.WriteAsync("{\"data\":[");
            await context.Response.Body.FlushAsync();
            context.RequestAborted.Register(() => released.TrySetResult());
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        };

        using (var leave = new CancellationTokenSource(TimeSpan.FromMilliseconds(300)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(
                () => gateway.Client.GetAsync(new Uri(CurrencyGateway.Path, UriKind.Relative), leave.Token));
        }

        await released.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(500);
        Assert.DoesNotContain(gateway.Logs.Lines, line => line.StartsWith("Warning", StringComparison.Ordinal) || line.StartsWith("Error", StringComparison.Ordinal));
    }

    internal static void AssertCurrency(JsonElement view, string code, decimal rate, string source)
    {
        var currency = view.GetProperty("meta").GetProperty("currency");
        Assert.Equal(code, currency.GetProperty("code").GetString());
        Assert.Equal(rate, currency.GetProperty("rate").GetDecimal());
        Assert.Equal(source, currency.GetProperty("source").GetString());
    }

    private static void Break(StubUpstream api, string fault)
    {
        switch (fault)
        {
            case "500":
                api.Respond(500, "oops", "text/plain");
                break;
            case "error":
                api.Respond(200, CurrencyShapes.Error());
                break;
            case "garbage":
                api.Respond(200, "{\"result\":\"success\",\"rates\":{\"EUR\":");
                break;
            case "missing-currency":
                api.Respond(200, CurrencyShapes.Rates(("JPY", 150.1m)));
                break;
            case "hang":
                api.Hang();
                break;
            default:
                break;
        }
    }
}

using System.Net;
using StackExchange.Redis;

namespace Gateway.Tests.EndToEnd;

/// <summary>The redirect table in front of the real Strapi: the seeded entries, and an ops edit, followed to real data.</summary>
[Collection(StrapiCollection.Name)]
public sealed class RedirectEndToEndTests(StrapiStack stack)
{
    [Fact]
    public async Task SeededOldRevenuesUrl_RedirectsToStrapisRevenues()
    {
        using var redirect = await stack.Gateway.GetAsync("/api/v1/revenues?pagination[pageSize]=100");

        Assert.Equal(HttpStatusCode.TemporaryRedirect, redirect.StatusCode);
        var location = redirect.Headers.Location!.OriginalString;
        Assert.Equal("/api/v2/revenues/en-us?pagination[pageSize]=100", location);

        var revenues = await stack.Gateway.GetJsonAsync(location);
        Assert.Equal(12, revenues.Pagination().Int("total"));
    }

    [Fact]
    public async Task OpsEditInRedis_ServedAtOnce_ToRealInvoices()
    {
        await using var ops = await ConnectionMultiplexer.ConnectAsync(stack.Redis.Configuration);
        await ops.GetDatabase().StringSetAsync("gateway:redirect:/invoices-paid",
            """{"destination":"/api/v2/invoices/en-us?filters[invoice_status][$eq]=paid","permanent":true,"preserveQuery":false}""");

        HttpResponseMessage? redirect = null;
        for (var attempt = 0; attempt < 50 && redirect?.StatusCode != HttpStatusCode.PermanentRedirect; attempt++)
        {
            redirect?.Dispose();
            await Task.Delay(20);
            redirect = await stack.Gateway.GetAsync("/invoices-paid?ignored=1");
        }

        using var _ = redirect;
        Assert.Equal(HttpStatusCode.PermanentRedirect, redirect!.StatusCode);
        var paid = await stack.Gateway.GetJsonAsync(redirect.Headers.Location!.OriginalString);
        Assert.All(paid.GetProperty("data").EnumerateArray(), invoice => Assert.Equal("paid", invoice.Str("invoice_status")));
        await ops.GetDatabase().KeyDeleteAsync("gateway:redirect:/invoices-paid");
    }
}

using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Gateway.Caching;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.EndToEnd;

/// <summary>
/// The response cache against the real Strapi and Redis: hits served without Strapi, writes through the gateway and
/// changes made in Strapi directly (its webhook) seen at once, by every replica.
/// </summary>
[Collection(StrapiCollection.Name)]
public sealed class ResponseCacheEndToEndTests(StrapiStack stack)
{
    private static readonly TimeSpan Staleness = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task SecondGet_ServedWithoutStrapi()
    {
        await using var counter = await StubUpstream.StartAsync();
        await using var replica = CountingReplica(counter);
        using var client = StrapiStack.SignedIn(replica, stack.EditorCookie);
        var path = $"/api/v2/invoices/en-us?pagination[pageSize]=7&sort=id:asc&filters[amount][$gte]={Random.Shared.Next(1, 999)}";

        using var first = await client.GetAsync(path);
        using var second = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(CacheStatus.Miss, Status(first));
        Assert.Equal(CacheStatus.Hit, Status(second));
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        Assert.Equal("application/json", second.Content.Headers.ContentType?.MediaType);
        Assert.Single(counter.Requests);
    }

    [Fact]
    public async Task CsvExportAndErrors_NeverCached()
    {
        await using var counter = await StubUpstream.StartAsync();
        await using var replica = CountingReplica(counter);
        using var client = StrapiStack.SignedIn(replica, stack.EditorCookie);

        foreach (var (path, status) in new[]
        {
            ("/api/v2/invoices/en-us/csv?filters[amount][$eq]=15795", HttpStatusCode.OK),
            ("/api/v2/invoices/en-us/nosuchdocument0", HttpStatusCode.NotFound),
            ("/api/v2/invoices/en-us?pagination[page]=1&pagination[start]=0", HttpStatusCode.BadRequest),
        })
        {
            counter.Requests.Clear();
            for (var i = 0; i < 2; i++)
            {
                using var response = await client.GetAsync(path);
                Assert.Equal(status, response.StatusCode);
                Assert.NotEqual(CacheStatus.Hit, Status(response));
            }

            Assert.Equal(2, counter.Requests.Count);
        }
    }

    [Fact]
    public async Task CachedUrl_AnonymousOrUnentitledCaller_RefusedBeforeTheCache()
    {
        var path = $"/api/v2/customers/en-us?pagination[pageSize]=3&filters[name][$contains]=a&filters[email][$ne]=probe{Random.Shared.Next()}";
        await WarmAsync(stack.Gateway, path);
        using (var hit = await stack.Gateway.GetAsync(path))
        {
            Assert.Equal(CacheStatus.Hit, Status(hit));
        }

        using var anonymous = await stack.Anonymous.GetAsync(path);
        await ProblemAssert.IsProblemAsync(anonymous, HttpStatusCode.Unauthorized);
        Assert.Null(Status(anonymous));

        // A reader may read the list, but a write is refused even though the URL's answers are cached.
        using var write = await stack.Reader.SendJsonAsync(HttpMethod.Post, "/api/v2/customers/en-us", new { name = "x" });
        await ProblemAssert.IsProblemAsync(write, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task EditThroughGateway_VisibleOnNextGet()
    {
        var (documentId, path) = await NewInvoiceAsync(1111);
        var list = "/api/v2/invoices/en-us?filters[documentId][$eq]=" + documentId;
        await WarmAsync(stack.Gateway, path);
        await WarmAsync(stack.Gateway, list);

        using var put = await stack.Gateway.SendJsonAsync(HttpMethod.Put, path, new { amount = 2222 });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        using var document = await stack.Gateway.GetAsync(path);
        Assert.Equal(CacheStatus.Miss, Status(document));
        Assert.Equal(2222, (await document.JsonAsync()).GetProperty("data").Int("amount"));
        var listed = await stack.Gateway.GetJsonAsync(list);
        Assert.Equal(2222, listed.GetProperty("data")[0].Int("amount"));

        using var delete = await stack.Gateway.DeleteAsync(path);
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        using var gone = await stack.Gateway.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task EditInStrapiDirectly_VisibleThroughTwoGatewaysWithinASecond()
    {
        var (documentId, path) = await NewInvoiceAsync(3333);
        await using var replica = stack.Replica();
        using var other = StrapiStack.SignedIn(replica, stack.EditorCookie);
        await WarmAsync(stack.Gateway, path);
        using (var shared = await other.GetAsync(path))
        {
            Assert.Equal(CacheStatus.Hit, Status(shared)); // the replicas share one store
        }

        using var put = await stack.Direct.SendJsonAsync(HttpMethod.Put, $"/api/invoices/{documentId}", new { data = new { amount = 4444 } });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var clock = Stopwatch.StartNew();

        foreach (var client in new[] { stack.Gateway, other })
        {
            while ((await client.GetJsonAsync(path)).GetProperty("data").Int("amount") != 4444)
            {
                Assert.True(clock.Elapsed < Staleness, "the change made in Strapi is served within a second");
                await Task.Delay(20);
            }
        }

        using var delete = await stack.Gateway.DeleteAsync(path);
    }

    [Fact]
    public async Task CustomerEditedInStrapi_InvoiceListsThatEmbedItEvicted()
    {
        var customers = await stack.Direct.GetJsonAsync("/api/customers?filters[name][$eq]=Evil%20Rabbit");
        var customer = customers.GetProperty("data")[0];
        var path = "/api/v2/invoices/en-us?filters[amount][$eq]=15795&populate[customer][fields][0]=email";
        await WarmAsync(stack.Gateway, path);
        var email = customer.Str("email");

        try
        {
            using var put = await stack.Direct.SendJsonAsync(HttpMethod.Put, $"/api/customers/{customer.Str("documentId")}",
                new { data = new { email = "rabbit@changed.example" } });
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            var clock = Stopwatch.StartNew();
            while ((await stack.Gateway.GetJsonAsync(path)).GetProperty("data")[0].GetProperty("customer").Str("email") != "rabbit@changed.example")
            {
                Assert.True(clock.Elapsed < Staleness, "an invoice list embedding the customer is evicted with it");
                await Task.Delay(20);
            }
        }
        finally
        {
            using var back = await stack.Direct.SendJsonAsync(HttpMethod.Put, $"/api/customers/{customer.Str("documentId")}", new { data = new { email } });
        }
    }

    [Fact]
    public async Task Webhook_WithoutOrWithWrongSecret_RefusedAndNothingEvicted()
    {
        var path = "/api/v2/revenues/en-us?sort=month:desc";
        await WarmAsync(stack.Gateway, path);
        var change = """{"event":"entry.update","model":"revenue","uid":"api::revenue.revenue","entry":{}}""";

        using var none = await stack.Gateway.PostAsync(StrapiWebhookEndpoint.Path, new StringContent(change, null, "application/json"));
        await ProblemAssert.IsProblemAsync(none, HttpStatusCode.Unauthorized);
        using var wrong = new HttpRequestMessage(HttpMethod.Post, StrapiWebhookEndpoint.Path) { Content = new StringContent(change, null, "application/json") };
        wrong.Headers.Add(StrapiWebhookEndpoint.SecretHeader, stack.WebhookSecret + "x");
        await ProblemAssert.IsProblemAsync(await stack.Gateway.SendAsync(wrong), HttpStatusCode.Forbidden);

        using var still = await stack.Gateway.GetAsync(path);
        Assert.Equal(CacheStatus.Hit, Status(still));

        using var right = new HttpRequestMessage(HttpMethod.Post, StrapiWebhookEndpoint.Path) { Content = new StringContent(change, null, "application/json") };
        right.Headers.Add(StrapiWebhookEndpoint.SecretHeader, stack.WebhookSecret);
        using var accepted = await stack.Gateway.SendAsync(right);
        Assert.Equal(HttpStatusCode.NoContent, accepted.StatusCode);
        using var evicted = await stack.Gateway.GetAsync(path);
        Assert.Equal(CacheStatus.Miss, Status(evicted));
    }

    [Fact]
    public async Task DifferentQueryStrings_DifferentEntries()
    {
        // Strapi sorts by the keys in the order given: the same keys in another order are another answer.
        const string ByAmount = "/api/v2/invoices/en-us?sort=amount:asc&sort=id:asc&pagination[pageSize]=5";
        const string ById = "/api/v2/invoices/en-us?sort=id:asc&sort=amount:asc&pagination[pageSize]=5";
        await WarmAsync(stack.Gateway, ByAmount);

        using var byId = await stack.Gateway.GetAsync(ById);
        using var byAmount = await stack.Gateway.GetAsync(ByAmount);

        Assert.Equal(CacheStatus.Hit, Status(byAmount));
        Assert.NotEqual(CacheStatus.Hit, Status(byId));
        using var direct = await stack.Direct.GetAsync("/api/invoices?sort=id:asc&sort=amount:asc&pagination[pageSize]=5");
        Assert.Equal(await direct.Content.ReadAsStringAsync(), await byId.Content.ReadAsStringAsync());
        Assert.NotEqual(await byAmount.Content.ReadAsStringAsync(), await byId.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task EurView_CachedAndEvictedWithTheInvoices()
    {
        const string View = "/api/v2/invoices/fr?pageSize=3&sort=id:desc";
        await WarmAsync(stack.Gateway, View);

        var (_, path) = await NewInvoiceAsync(5555);
        using var after = await stack.Gateway.GetAsync(View);

        Assert.Equal(CacheStatus.Miss, Status(after));
        var first = (await after.JsonAsync()).GetProperty("data")[0];
        Assert.Equal(decimal.Round(5555 * 0.86m, MidpointRounding.AwayFromZero), first.GetProperty("amount").GetDecimal());
        using var delete = await stack.Gateway.DeleteAsync(path);
    }

    [Fact]
    public async Task CachedList_IfNoneMatch_304WithoutStrapi()
    {
        await using var counter = await StubUpstream.StartAsync();
        await using var replica = CountingReplica(counter);
        using var client = StrapiStack.SignedIn(replica, stack.EditorCookie);
        var path = $"/api/v2/invoices/en-us?pagination[pageSize]=4&sort=id:asc&filters[amount][$gte]={Random.Shared.Next(1, 999)}";
        using var first = await client.GetAsync(path);
        Assert.NotNull(first.Headers.ETag);

        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.IfNoneMatch.Add(first.Headers.ETag);
        using var revalidated = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotModified, revalidated.StatusCode);
        Assert.Empty(await revalidated.Content.ReadAsByteArrayAsync());
        Assert.Equal(first.Headers.ETag, revalidated.Headers.ETag);
        Assert.True(revalidated.Headers.NonValidated.TryGetValues("Cache-Control", out var cacheControl));
        Assert.Equal("private, no-cache", cacheControl.ToString()); // signed in: the browser revalidates
        Assert.Single(counter.Requests);
    }

    /// <summary>
    /// Strapi stopped: the replica reaches the real Strapi through a pass-through, and stopping that pass-through is what
    /// the replica sees of a stopped Strapi (connection refused). The shared Strapi stays up for the other tests.
    /// </summary>
    [Fact]
    public async Task StrapiStopped_CachedListAnsweredWithItsStaleCopy()
    {
        var passThrough = await StubUpstream.StartAsync();
        passThrough.ForwardGetsTo(stack.Strapi.BaseUrl);
        var settings = new Dictionary<string, string?>(stack.GatewaySettings)
        {
            ["ResponseCache:Lifetime"] = "00:00:01",
            ["ResponseCache:MemoryLifetime"] = "00:00:00",
        };
        await using var replica = new GatewayHost(passThrough.BaseUrl, stack.Frontend.BaseUrl, stack.Redis.Configuration, settings, accessControl: true);
        using var client = StrapiStack.SignedIn(replica, stack.EditorCookie);
        var path = $"/api/v2/invoices/en-us?pagination[pageSize]=6&sort=id:desc&filters[amount][$lte]={Random.Shared.Next(1000, 99999)}";
        using var good = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        Assert.Equal(CacheStatus.Miss, Status(good));

        await passThrough.DisposeAsync();
        await Task.Delay(TimeSpan.FromMilliseconds(1500)); // the entry's lifetime runs out
        using var stale = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.Equal("edge-gateway; fwd=stale; fwd-status=502; detail=stale", Status(stale));
        Assert.Equal(await good.Content.ReadAsStringAsync(), await stale.Content.ReadAsStringAsync());
        Assert.Equal(good.Headers.ETag, stale.Headers.ETag);
        Assert.Equal("application/json", stale.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>A replica whose Strapi is a recording pass-through in front of the real one: it counts what reaches Strapi.</summary>
    private GatewayHost CountingReplica(StubUpstream counter)
    {
        counter.ForwardGetsTo(stack.Strapi.BaseUrl);
        return new GatewayHost(counter.BaseUrl, stack.Frontend.BaseUrl, stack.Redis.Configuration, stack.GatewaySettings, accessControl: true);
    }

    private async Task<(string DocumentId, string Path)> NewInvoiceAsync(int amount)
    {
        using var created = await stack.Gateway.SendJsonAsync(HttpMethod.Post, "/api/v2/invoices/en-us",
            new { amount, date = "2024-01-02", invoice_status = "pending" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var documentId = (await created.JsonAsync()).GetProperty("data").Str("documentId");
        return (documentId, "/api/v2/invoices/en-us/" + documentId);
    }

    /// <summary>
    /// Reads the path until the cache serves it, so the test starts from a cached answer (Strapi's webhook for an earlier
    /// write may still come in and evict it, so one read is not always enough).
    /// </summary>
    private static async Task WarmAsync(HttpClient client, string path)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            using var response = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            if (Status(response) == CacheStatus.Hit)
            {
                return;
            }

            await Task.Delay(20);
        }

        Assert.Fail($"{path} was never served from the cache");
    }

    private static string? Status(HttpResponseMessage response)
        => response.Headers.TryGetValues(CacheStatus.HeaderName, out var values) ? string.Join(", ", values) : null;
}

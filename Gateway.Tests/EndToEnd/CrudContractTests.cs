using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.EndToEnd;

/// <summary>The CRUD routes of the contract, through the gateway, against the real Strapi.</summary>
[Collection(StrapiCollection.Name)]
public sealed class CrudContractTests(StrapiStack stack)
{
    [Theory]
    [InlineData("invoices")]
    [InlineData("customers")]
    [InlineData("revenues")]
    public async Task List_SameEnvelopeAsStrapiItself(string collection)
    {
        using var viaGateway = await stack.Gateway.GetAsync($"/api/v2/{collection}/en-us");
        using var direct = await stack.Direct.GetAsync($"/api/{collection}");

        Assert.Equal(HttpStatusCode.OK, viaGateway.StatusCode);
        Assert.Equal(await direct.Content.ReadAsStringAsync(), await viaGateway.Content.ReadAsStringAsync());
        Assert.Equal("application/json", viaGateway.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Invoices_DemoDataAndDefaultPagination()
    {
        var list = await stack.Gateway.GetJsonAsync("/api/v2/invoices/en-us");

        var pagination = list.Pagination();
        Assert.Equal(1, pagination.Int("page"));
        Assert.Equal(25, pagination.Int("pageSize"));
        Assert.True(pagination.Int("total") >= StrapiStack.SeedInvoices - 5, "the seeded invoices are there");
        Assert.Equal(25, list.GetProperty("data").GetArrayLength());
        var first = list.GetProperty("data")[0];
        foreach (var field in new[] { "id", "documentId", "amount", "date", "invoice_status", "createdAt", "updatedAt", "publishedAt" })
        {
            Assert.True(first.TryGetProperty(field, out _), $"invoice has {field}");
        }
    }

    [Fact]
    public async Task Invoices_TutorialDemoDataIsThere()
    {
        var list = await stack.Gateway.GetJsonAsync("/api/v2/invoices/en-us?filters[amount][$eq]=15795&populate[customer][fields][0]=name");

        var invoice = Assert.Single(list.GetProperty("data").EnumerateArray());
        Assert.Equal("Evil Rabbit", invoice.GetProperty("customer").Str("name"));
        Assert.Equal("pending", invoice.Str("invoice_status"));
    }

    [Fact]
    public async Task Revenues_TwelveMonths()
    {
        var list = await stack.Gateway.GetJsonAsync("/api/v2/revenues/en-us?pagination[pageSize]=100");

        Assert.Equal(12, list.Pagination().Int("total"));
    }

    [Fact]
    public async Task PaginationSortFiltersFields_ReachStrapi()
    {
        var page = await stack.Gateway.GetJsonAsync(
            "/api/v2/invoices/en-us?filters[invoice_status][$eq]=paid&sort=amount:desc&pagination[page]=2&pagination[pageSize]=10&fields[0]=amount&fields[1]=invoice_status");

        Assert.Equal(2, page.Pagination().Int("page"));
        Assert.Equal(10, page.Pagination().Int("pageSize"));
        var invoices = page.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(10, invoices.Count);
        Assert.All(invoices, invoice => Assert.Equal("paid", invoice.Str("invoice_status")));
        Assert.All(invoices, invoice => Assert.False(invoice.TryGetProperty("date", out _), "fields[] limited the fields"));
        var amounts = invoices.Select(invoice => invoice.Int("amount")).ToList();
        Assert.Equal(amounts.OrderByDescending(a => a).ToList(), amounts);
    }

    [Fact]
    public async Task PageSizeOverMax_RefusedByTheGateway_MaxServed()
    {
        using var over = await stack.Gateway.GetAsync("/api/v2/invoices/en-us?pagination[pageSize]=500");
        var page = await stack.Gateway.GetJsonAsync("/api/v2/invoices/en-us?pagination[pageSize]=100");

        var problem = await ProblemAssert.IsProblemAsync(over, HttpStatusCode.BadRequest);
        Assert.Contains("pagination[pageSize]", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(100, page.Pagination().Int("pageSize"));
        Assert.Equal(100, page.GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task BadPage_StrapisOwn400EnvelopePassesThrough()
    {
        // The policy allows each key; Strapi refuses page and offset paging together.
        using var response = await stack.Gateway.GetAsync("/api/v2/invoices/en-us?pagination[page]=1&pagination[start]=0");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await response.JsonAsync()).GetProperty("error");
        Assert.Equal(400, error.Int("status"));
    }

    [Fact]
    public async Task Populate_CustomerNameComesAlong()
    {
        var list = await stack.Gateway.GetJsonAsync("/api/v2/invoices/en-us?populate[customer][fields][0]=name&pagination[pageSize]=5");

        Assert.All(list.GetProperty("data").EnumerateArray(), invoice =>
        {
            var customer = invoice.GetProperty("customer");
            Assert.Equal(JsonValueKind.Object, customer.ValueKind);
            Assert.False(string.IsNullOrEmpty(customer.Str("name")));
            Assert.False(customer.TryGetProperty("email", out _));
        });
    }

    [Fact]
    public async Task CreateReadUpdateDelete_InvoiceLifecycle()
    {
        var customers = await stack.Gateway.GetJsonAsync("/api/v2/customers/en-us?pagination[pageSize]=1");
        var customerId = customers.GetProperty("data")[0].Str("documentId");

        // Create: the client sends the fields alone; the gateway wraps them.
        using var created = await stack.Gateway.SendJsonAsync(HttpMethod.Post, "/api/v2/invoices/en-us",
            new { amount = 4242, date = "2024-05-01", invoice_status = "pending", customer = customerId });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var invoice = (await created.JsonAsync()).GetProperty("data");
        var documentId = invoice.Str("documentId");
        Assert.Equal(4242, invoice.Int("amount"));

        var read = await stack.Gateway.GetJsonAsync($"/api/v2/invoices/en-us/{documentId}?populate=customer");
        Assert.Equal(customerId, read.GetProperty("data").GetProperty("customer").Str("documentId"));

        // Update is partial: only the amount changes.
        using var updated = await stack.Gateway.SendJsonAsync(HttpMethod.Put, $"/api/v2/invoices/en-us/{documentId}", new { amount = 5000 });
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var after = (await updated.JsonAsync()).GetProperty("data");
        Assert.Equal(5000, after.Int("amount"));
        Assert.Equal("pending", after.Str("invoice_status"));

        using var deleted = await stack.Gateway.DeleteAsync($"/api/v2/invoices/en-us/{documentId}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Empty(await deleted.Content.ReadAsByteArrayAsync());

        using var gone = await stack.Gateway.GetAsync($"/api/v2/invoices/en-us/{documentId}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        var error = (await gone.JsonAsync()).GetProperty("error");
        Assert.Equal("NotFoundError", error.Str("name"));
        using var direct = await stack.Direct.GetAsync($"/api/invoices/{documentId}");
        Assert.Equal(HttpStatusCode.NotFound, direct.StatusCode);
    }

    [Fact]
    public async Task Create_AlreadyWrappedBody_AlsoWorks()
    {
        using var created = await stack.Gateway.SendJsonAsync(HttpMethod.Post, "/api/v2/revenues/en-us",
            new { data = new { month = "E2E-" + Guid.NewGuid().ToString("N")[..8], revenue = 1234 } });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var documentId = (await created.JsonAsync()).GetProperty("data").Str("documentId");
        using var deleted = await stack.Gateway.DeleteAsync($"/api/v2/revenues/en-us/{documentId}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
    }

    [Fact]
    public async Task Create_InvalidAmount_StrapisValidationEnvelope()
    {
        using var response = await stack.Gateway.SendJsonAsync(HttpMethod.Post, "/api/v2/invoices/en-us",
            new { amount = -1, invoice_status = "pending", date = "2024-01-01" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await response.JsonAsync()).GetProperty("error");
        Assert.Equal("ValidationError", error.Str("name"));
        Assert.Contains(error.GetProperty("details").GetProperty("errors").EnumerateArray(),
            e => e.GetProperty("path")[0].GetString() == "amount");
    }

    [Fact]
    public async Task Create_UnknownKey_Strapis400()
    {
        using var response = await stack.Gateway.SendJsonAsync(HttpMethod.Post, "/api/v2/customers/en-us", new { name = "x", foo = 1 });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("foo", (await response.JsonAsync()).GetProperty("error").Str("message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedJson_Strapis400()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v2/customers/en-us")
        {
            Content = new StringContent("""{"name": """, Encoding.UTF8, "application/json"),
        };
        using var response = await stack.Gateway.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(400, (await response.JsonAsync()).GetProperty("error").Int("status"));
    }

    [Fact]
    public async Task UnknownDocument_404Envelope_AndDeleteIs204()
    {
        using var get = await stack.Gateway.GetAsync("/api/v2/customers/en-us/doesnotexist000000000000");
        using var put = await stack.Gateway.SendJsonAsync(HttpMethod.Put, "/api/v2/customers/en-us/doesnotexist000000000000", new { name = "x" });
        using var delete = await stack.Gateway.DeleteAsync("/api/v2/customers/en-us/doesnotexist000000000000");

        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal("NotFoundError", (await get.JsonAsync()).GetProperty("error").Str("name"));
        Assert.Equal(HttpStatusCode.NotFound, put.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
    }

    [Fact]
    public async Task ClientsOwnToken_DoesNotReachStrapi()
    {
        // The reader's own Strapi JWT: the gateway checks it and accepts it, but Strapi refuses it for invoices
        // (the reader role has no Strapi permission), so a 200 here proves the gateway replaced it with its token.
        var jwt = await AccessControlEndToEndTests.StrapiJwtAsync(stack, StrapiServer.ReaderEmail, StrapiServer.ReaderPassword);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v2/invoices/en-us");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", jwt);
        using var response = await stack.Anonymous.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var directWithUsersToken = new HttpClient { BaseAddress = stack.Strapi.BaseUrl };
        directWithUsersToken.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", jwt);
        using var refused = await directWithUsersToken.GetAsync("/api/invoices");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task BadDocumentId_GatewaysOwn400()
    {
        using var response = await stack.Gateway.GetAsync(new Uri("/api/v2/invoices/en-us/..%2F..%2Fusers-permissions%2Froles", UriKind.Relative));

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Readyz_WithRealStrapiAndRedis_200()
    {
        using var response = await stack.Gateway.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}

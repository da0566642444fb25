using System.Net;
using System.Text.Json;
using Gateway.Currency;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.EndToEnd;

/// <summary>
/// The EUR view against the real Strapi. The stack's rate API is a closed loopback port, so the rate is the configured
/// fallback (0.86): what varies here is Strapi, compared with what it answers directly at the same moment.
/// </summary>
[Collection(StrapiCollection.Name)]
public sealed class CurrencyViewEndToEndTests(StrapiStack stack)
{
    private const string View = "/api/v2/invoices/fr";
    private const string DirectSelection =
        "&populate[customer][fields][0]=name&populate[customer][fields][1]=email&populate[customer][fields][2]=image_url";

    [Theory]
    [InlineData("?page=2&pageSize=10&sort=id:asc", "?pagination[page]=2&pagination[pageSize]=10&sort=id:asc")]
    [InlineData("?pagination[page]=3&pagination[pageSize]=100&sort=id:asc", "?pagination[page]=3&pagination[pageSize]=100&sort=id:asc")]
    [InlineData("?sort=amount:desc", "?sort=amount:desc")]
    [InlineData("?filters[invoice_status][$eq]=paid&sort=id:desc&pageSize=50", "?filters[invoice_status][$eq]=paid&sort=id:desc&pagination[pageSize]=50")]
    public async Task View_SameInvoicesAsStrapi_AmountsInEuro(string viewQuery, string directQuery)
    {
        var view = await stack.Gateway.GetJsonAsync(View + viewQuery);
        var direct = await stack.Direct.GetJsonAsync("/api/invoices" + directQuery + DirectSelection);

        var currency = view.GetProperty("meta").GetProperty("currency");
        Assert.Equal("EUR", currency.Str("code"));
        Assert.Equal("fallback", currency.Str("source"));
        var rate = currency.GetProperty("rate").GetDecimal();
        Assert.Equal(0.86m, rate);
        Assert.Equal(direct.Pagination().GetRawText(), view.Pagination().GetRawText());

        var items = view.GetProperty("data").EnumerateArray().ToList();
        var originals = direct.GetProperty("data").EnumerateArray().ToList();
        Assert.NotEmpty(items);
        Assert.Equal(originals.Count, items.Count);
        foreach (var (item, original) in items.Zip(originals))
        {
            Assert.Equal(["date", "amount", "invoice_status", "customer"], item.EnumerateObject().Select(p => p.Name));
            Assert.Equal(original.Str("date"), item.Str("date"));
            Assert.Equal(original.Str("invoice_status"), item.Str("invoice_status"));
            Assert.Equal(CurrencyMath.Convert(original.GetProperty("amount").GetInt64(), rate), item.GetProperty("amount").GetInt64());
            AssertCustomer(original.GetProperty("customer"), item.GetProperty("customer"));
        }
    }

    [Fact]
    public async Task DefaultPage_25OfTheSeededInvoices()
    {
        var view = await stack.Gateway.GetJsonAsync(View);

        Assert.Equal(25, view.GetProperty("data").GetArrayLength());
        Assert.Equal(1, view.Pagination().Int("page"));
        Assert.True(view.Pagination().Int("total") >= StrapiStack.SeedInvoices - 5, "the seeded invoices are there");
    }

    [Fact]
    public async Task TutorialInvoice_15795CentsIs13584InEuro()
    {
        var view = await stack.Gateway.GetJsonAsync(View + "?filters[amount][$eq]=15795");

        var invoice = Assert.Single(view.GetProperty("data").EnumerateArray());
        Assert.Equal(13584, invoice.Int("amount"));
        Assert.Equal("Evil Rabbit", invoice.GetProperty("customer").Str("name"));
    }

    [Fact]
    public async Task BadPage_RefusedByTheQueryPolicy_StrapisOwn400PassedThrough()
    {
        using var refused = await stack.Gateway.GetAsync(View + "?page=abc");
        using var response = await stack.Gateway.GetAsync(View + "?pagination[page]=1&pagination[start]=0");

        var problem = await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.BadRequest);
        Assert.Contains("'page'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal(400, body.GetProperty("error").Int("status"));
    }

    private static void AssertCustomer(JsonElement original, JsonElement customer)
    {
        if (original.ValueKind == JsonValueKind.Null)
        {
            Assert.Equal(JsonValueKind.Null, customer.ValueKind);
            return;
        }

        Assert.Equal(["name", "email", "image_url"], customer.EnumerateObject().Select(p => p.Name));
        foreach (var field in new[] { "name", "email", "image_url" })
        {
            Assert.Equal(original.GetProperty(field).GetRawText(), customer.GetProperty(field).GetRawText());
        }
    }
}

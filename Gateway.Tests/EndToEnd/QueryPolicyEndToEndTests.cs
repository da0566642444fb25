using System.Net;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.EndToEnd;

/// <summary>
/// The query policy against the real Strapi, through a recording pass-through: the queries that stop Strapi are refused
/// before Strapi sees anything, and every query the dashboard, the README and ./run's banner make still gets Strapi's
/// answer.
/// </summary>
[Collection(StrapiCollection.Name)]
public sealed class QueryPolicyEndToEndTests(StrapiStack stack)
{
    public static TheoryData<string> Attacks() =>
    [
        "/api/v2/invoices/en-us?filters[customer][invoices][amount][$gt]=0&pagination[pageSize]=1",
        "/api/v2/invoices/en-us?filters[customer][invoices][customer][invoices][amount][$gt]=0",
        "/api/v2/invoices/en-us?filters%5Bcustomer%5D%5Binvoices%5D%5Bamount%5D%5B%24gt%5D=0&z=123",
        "/api/v2/customers/en-us?populate=*",
        "/api/v2/customers/en-us?populate[invoices][populate]=*",
        "/api/v2/customers/en-us?filters[invoices][amount][$gt]=0",
        "/api/v2/invoices/en-us?pagination[limit]=-1",
        "/api/v2/invoices/en-us?pagination[pageSize]=100000",
        "/api/v2/invoices/en-us?z=unique-cache-buster",
        "/api/v2/invoices/en-us/csv?filters[customer][invoices][amount][$gt]=0",
        "/api/v2/invoices/fr?filters[customer][invoices][amount][$gt]=0",
        "/api/v2/invoices/fr?pageSize=5000",
        "/api/v1/invoices?populate=*",
        "/api/v2/customers/en-us/abc123?populate=invoices",
    ];

    public static TheoryData<string> DashboardQueries() =>
    [
        "/api/v2/invoices/en-us",
        "/api/v2/invoices/en-us?populate[customer][fields][0]=name&sort=date:desc",
        "/api/v2/invoices/en-us?filters[invoice_status][$eq]=paid&sort=amount:desc&pagination[page]=2&pagination[pageSize]=10&fields[0]=amount&fields[1]=invoice_status",
        "/api/v2/invoices/en-us?populate=customer&filters[customer][name][$containsi]=evil",
        "/api/v2/invoices/en-us/csv?filters[invoice_status][$eq]=paid&sort=amount:desc",
        "/api/v2/invoices/fr?page=2&pageSize=5",
        "/api/v2/customers/en-us?filters[name][$containsi]=a&sort=name:asc",
        "/api/v2/revenues/en-us?sort=month:asc",
        "/api/v1/invoices",
    ];

    [Theory]
    [MemberData(nameof(Attacks))]
    public async Task Attack_400NamingTheParameter_StrapiSeesNothing(string path)
    {
        await using var recorder = await StubUpstream.StartAsync();
        await using var replica = Recording(recorder);
        using var client = StrapiStack.SignedIn(replica, stack.EditorCookie);

        using var response = await client.GetAsync(path);

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.StartsWith("'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(recorder.Requests);
    }

    [Theory]
    [MemberData(nameof(DashboardQueries))]
    public async Task DashboardQuery_StrapisAnswer(string path)
    {
        await using var recorder = await StubUpstream.StartAsync();
        await using var replica = Recording(recorder);
        using var client = StrapiStack.SignedIn(replica, stack.EditorCookie);

        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEmpty(recorder.Requests);
    }

    private GatewayHost Recording(StubUpstream recorder)
    {
        recorder.ForwardGetsTo(stack.Strapi.BaseUrl);
        var settings = new Dictionary<string, string?>(stack.GatewaySettings) { ["ResponseCache:Enabled"] = "false" };
        return new GatewayHost(recorder.BaseUrl, stack.Frontend.BaseUrl, stack.Redis.Configuration, settings, accessControl: true);
    }
}

using Gateway.Strapi;
using Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Gateway.Tests.Strapi;

/// <summary>The query policy as shipped (Gateway/appsettings.json's <c>StrapiQuery</c>), query string by query string.</summary>
public sealed class StrapiQueryPolicyTests
{
    private static readonly StrapiQueryPolicy Policy = Shipped();

    [Theory]
    // What the dashboard, the README and ./run's banner ask.
    [InlineData("invoices", "")]
    [InlineData("invoices", "populate[customer][fields][0]=name&sort=date:desc")]
    [InlineData("invoices", "populate=customer")]
    [InlineData("invoices", "populate[0]=customer")]
    [InlineData("invoices", "populate[customer]=true")]
    [InlineData("invoices", "populate[customer][fields]=name,email")]
    [InlineData("invoices", "filters[invoice_status][$eq]=paid")]
    [InlineData("invoices", "filters%5Binvoice_status%5D%5B%24eq%5D=paid")]
    [InlineData("invoices", "filters[invoice_status]=paid")]
    [InlineData("invoices", "filters[amount][$gte]=1000&filters[date][$lt]=2024-01-01")]
    [InlineData("invoices", "filters[customer][name][$containsi]=evil")]
    [InlineData("invoices", "filters[customer][email][$eq]=a@b.c")]
    [InlineData("invoices", "filters[invoice_status][$in][0]=paid&filters[invoice_status][$in][1]=pending")]
    [InlineData("invoices", "filters[invoice_status][$in]=paid&filters[invoice_status][$in]=pending")]
    [InlineData("invoices", "filters[$or][0][invoice_status][$eq]=paid&filters[$or][1][amount][$gt]=5")]
    [InlineData("invoices", "filters[$and][0][$or][0][amount][$gt]=5")]
    [InlineData("invoices", "filters[amount][$not][$gt]=5")]
    [InlineData("invoices", "filters[customer][name][$null]=true")]
    [InlineData("invoices", "sort=date:desc,amount")]
    [InlineData("invoices", "sort[0]=date:desc&sort[1]=id")]
    [InlineData("invoices", "sort[amount]=desc")]
    [InlineData("invoices", "sort=customer.name:asc")]
    [InlineData("invoices", "fields[0]=date&fields[1]=amount")]
    [InlineData("invoices", "fields=date,amount")]
    [InlineData("invoices", "pagination[page]=2&pagination[pageSize]=100&pagination[withCount]=false")]
    [InlineData("invoices", "pagination[start]=0&pagination[limit]=50")]
    [InlineData("invoices", "locale=fr-FR&status=published")]
    [InlineData("customers", "filters[name][$containsi]=a&sort=name:asc")]
    [InlineData("revenues", "sort=month:asc&pagination[pageSize]=12")]
    public void Accepted(string collection, string query)
    {
        var check = Policy.Check(collection, QueryHelpers.ParseQuery(query), otherKeysAreTheRoutes: false);

        Assert.False(check.Refused, $"{check.Parameter} {check.Rule}");
    }

    [Theory]
    // The joins back through a to-many relation that stopped Strapi, and their relatives.
    [InlineData("invoices", "filters[customer][invoices][amount][$gt]=0&pagination[pageSize]=1", "filters[customer][invoices][amount][$gt]")]
    [InlineData("invoices", "filters[customer][invoices][customer][invoices][amount][$gt]=0", "filters[customer][invoices][customer][invoices][amount][$gt]")]
    [InlineData("customers", "filters[invoices][amount][$gt]=0", "filters[invoices][amount][$gt]")]
    [InlineData("invoices", "filters%5Bcustomer%5D%5Binvoices%5D%5Bamount%5D%5B%24gt%5D=0", "filters[customer][invoices][amount][$gt]")]
    [InlineData("customers", "populate=*", "populate")]
    [InlineData("customers", "populate=invoices", "populate")]
    [InlineData("customers", "populate[0]=invoices", "populate[0]")]
    [InlineData("invoices", "populate[customer][populate]=invoices", "populate[customer][populate]")]
    [InlineData("invoices", "populate[customer][populate][invoices]=true", "populate[customer][populate][invoices]")]
    [InlineData("invoices", "populate[customer]=*", "populate[customer]")]
    [InlineData("invoices", "populate[customer][fields][0]=secret", "populate[customer][fields][0]")]
    [InlineData("invoices", "populate[customer][filters][name][$eq]=a", "populate[customer][filters][name][$eq]")]
    // Operators, nesting, counts, values.
    [InlineData("invoices", "filters[amount][$regex]=.*", "filters[amount][$regex]")]
    [InlineData("invoices", "filters[amount][$eqi]=1", "filters[amount][$eqi]")]
    [InlineData("invoices", "filters[$and][0][$or][0][$and][0][amount][$gt]=1", "filters[$and][0][$or][0][$and][0][amount][$gt]")]
    [InlineData("invoices", "filters[$or][amount][$gt]=1", "filters[$or][amount][$gt]")]
    [InlineData("invoices", "filters[amount][$gt][x]=1", "filters[amount][$gt][x]")]
    [InlineData("invoices", "filters[amount][$eq]=1&filters[amount][$eq]=2", "filters[amount][$eq]")]
    [InlineData("invoices", "filters[amount][$null]=maybe", "filters[amount][$null]")]
    [InlineData("invoices", "filters[customer]=5", "filters[customer]")]
    [InlineData("invoices", "filters[$eq]=5", "filters[$eq]")]
    [InlineData("invoices", "filters=x", "filters")]
    [InlineData("invoices", "filters[createdAt][$eq]=x", "filters[createdAt][$eq]")]
    [InlineData("invoices", "filters[__proto__][x]=1", "filters[__proto__][x]")]
    [InlineData("invoices", "filters[amount[$gt]=1", "filters[amount[$gt]")]
    [InlineData("invoices", "filters[amount]x[$gt]=1", "filters[amount]x[$gt]")]
    // Fields, sort, paging, locale, status, unknown keys.
    [InlineData("invoices", "fields[0]=secret", "fields[0]")]
    [InlineData("invoices", "fields=*", "fields")]
    [InlineData("invoices", "sort=secret:asc", "sort")]
    [InlineData("invoices", "sort=amount:sideways", "sort")]
    [InlineData("invoices", "sort[customer]=asc", "sort[customer]")]
    [InlineData("invoices", "sort=customer.invoices:asc", "sort")]
    [InlineData("invoices", "pagination[pageSize]=101", "pagination[pageSize]")]
    [InlineData("invoices", "pagination[limit]=-1", "pagination[limit]")]
    [InlineData("invoices", "pagination[limit]=1000", "pagination[limit]")]
    [InlineData("invoices", "pagination[page]=0", "pagination[page]")]
    [InlineData("invoices", "pagination[page]=20002&pagination[pageSize]=50", "pagination")]
    [InlineData("invoices", "pagination[start]=1000001", "pagination")]
    [InlineData("invoices", "pagination[page]=1e3", "pagination[page]")]
    [InlineData("invoices", "pagination[offset]=5", "pagination[offset]")]
    [InlineData("invoices", "locale=../../x", "locale")]
    [InlineData("invoices", "status=archived", "status")]
    [InlineData("invoices", "status[x]=draft", "status[x]")]
    [InlineData("invoices", "z=123", "z")]
    [InlineData("invoices", "Filters[amount][$gt]=1", "Filters[amount][$gt]")]
    [InlineData("invoices", "page=2", "page")]
    [InlineData("nowhere", "sort=id", "(route)")]
    public void Refused_NamingTheParameter(string collection, string query, string parameter)
    {
        var check = Policy.Check(collection, QueryHelpers.ParseQuery(query), otherKeysAreTheRoutes: false);

        Assert.True(check.Refused);
        Assert.Equal(parameter, check.Parameter);
        Assert.False(string.IsNullOrWhiteSpace(check.Rule));
    }

    [Fact]
    public void TooManyConditions_Refused()
    {
        var query = string.Join('&', Enumerable.Range(0, 21).Select(i => i < 10 ? $"filters[$or][{i}][amount][$gt]={i}" : $"filters[$and][{i - 10}][date][$lt]=2024-01-01"));

        var check = Policy.Check("invoices", QueryHelpers.ParseQuery(query), otherKeysAreTheRoutes: false);

        Assert.True(check.Refused);
        Assert.Contains("20 filter conditions", check.Rule, StringComparison.Ordinal);
    }

    [Fact]
    public void OverlongValue_Refused()
    {
        var check = Policy.Check("invoices", QueryHelpers.ParseQuery("filters[customer][name][$containsi]=" + new string('a', 201)), otherKeysAreTheRoutes: false);

        Assert.True(check.Refused);
    }

    [Theory]
    [InlineData("_rsc=abc&filters[invoice_status][$eq]=paid", false)]
    [InlineData("page=2&pageSize=100", false)]
    [InlineData("pageSize=101", true)]
    [InlineData("page=0", true)]
    [InlineData("filters[customer][invoices][amount][$gt]=0", true)]
    [InlineData("filters[amount[$gt]=0", true)]
    [InlineData("populate=*", true)]
    public void RouteOwnKeys_LeftToTheRoute_StrapisStillChecked(string query, bool refused)
        => Assert.Equal(refused, Policy.Check("invoices", QueryHelpers.ParseQuery(query), otherKeysAreTheRoutes: true).Refused);

    [Fact]
    public void Drafts_Flagged_ForTheTransformToCheckTheRole()
    {
        Assert.True(Policy.Check("invoices", QueryHelpers.ParseQuery("status=draft"), otherKeysAreTheRoutes: false).AsksForDrafts);
        Assert.False(Policy.Check("invoices", QueryHelpers.ParseQuery("status=published"), otherKeysAreTheRoutes: false).AsksForDrafts);
    }

    private static StrapiQueryPolicy Shipped()
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(RepositoryPaths.File("Gateway/appsettings.json")).Build();
        var options = new StrapiQueryOptions();
        configuration.GetSection(StrapiQueryOptions.SectionName).Bind(options);
        Assert.NotEmpty(options.Collections);
        return new StrapiQueryPolicy(new StaticMonitor(options));
    }

    private sealed class StaticMonitor(StrapiQueryOptions value) : IOptionsMonitor<StrapiQueryOptions>
    {
        public StrapiQueryOptions CurrentValue => value;

        public StrapiQueryOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<StrapiQueryOptions, string?> listener) => null;
    }
}

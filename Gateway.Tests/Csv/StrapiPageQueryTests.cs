using Gateway.Csv;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Yarp.ReverseProxy.Transforms;

namespace Gateway.Tests.Csv;

public sealed class StrapiPageQueryTests
{
    [Fact]
    public void NoQuery_FirstPageOf100_StableSort_CustomerPopulated()
    {
        var query = Apply("");

        Assert.Equal("1", query["pagination[page]"]);
        Assert.Equal("100", query["pagination[pageSize]"]);
        Assert.Equal("id:asc", query["sort"]);
        Assert.Equal("name", query["populate[customer][fields][0]"]);
        Assert.Equal("email", query["populate[customer][fields][1]"]);
        Assert.Equal(5, query.Count);
    }

    [Fact]
    public void FiltersKept_ClientPagingFieldsAndPopulateReplaced()
    {
        var query = Apply("?filters[invoice_status][$eq]=paid&filters[amount][$gt]=5&pagination[page]=7&pagination[pageSize]=5"
            + "&pagination[withCount]=false&pagination=x&fields[0]=amount&populate=*&paginationish=1&_rsc=abc&locale=fr&status=draft");

        Assert.Equal("paid", query["filters[invoice_status][$eq]"]);
        Assert.Equal("5", query["filters[amount][$gt]"]);
        Assert.Equal("1", query["pagination[page]"]);
        Assert.Equal("100", query["pagination[pageSize]"]);
        Assert.Equal("fr", query["locale"]);
        Assert.Equal("draft", query["status"]);
        Assert.DoesNotContain("paginationish", query.Keys);
        Assert.DoesNotContain("_rsc", query.Keys);
        Assert.DoesNotContain("pagination[withCount]", query.Keys);
        Assert.DoesNotContain("pagination", query.Keys);
        Assert.DoesNotContain("fields[0]", query.Keys);
        Assert.DoesNotContain("populate", query.Keys);
    }

    [Theory]
    [InlineData("?sort=amount:desc", "sort", "amount:desc,id:asc")]
    [InlineData("?sort=amount:desc,date", "sort", "amount:desc,date,id:asc")]
    [InlineData("?sort[0]=amount:desc&sort[1]=date", "sort[2]", "id:asc")]
    [InlineData("?sort[amount]=desc", "sort[id]", "asc")]
    [InlineData("?sort=", "sort", "id:asc")]
    public void ClientSort_KeptFirst_IdAddedLastSoTiesCannotMoveBetweenPages(string raw, string key, string value)
    {
        var query = Apply(raw);

        Assert.Equal(value, query[key]);
        var sorts = query.Where(pair => pair.Key.StartsWith("sort", StringComparison.Ordinal)).ToList();
        Assert.Equal(key, sorts[^1].Key);
    }

    [Theory]
    [InlineData("?sort=amount:desc,id:desc", "sort", "amount:desc,id:desc")]
    [InlineData("?sort[0]=documentId", "sort[0]", "documentId")]
    [InlineData("?sort[id]=desc", "sort[id]", "desc")]
    public void ClientSortAlreadyNamesAUniqueField_KeptAsGiven(string raw, string key, string value)
    {
        var query = Apply(raw);

        Assert.Equal(value, query[key]);
        Assert.Single(query, pair => pair.Key.StartsWith("sort", StringComparison.Ordinal));
    }

    [Fact]
    public void ForPage_ChangesOnlyThePageNumber()
    {
        var first = new Uri("http://127.0.0.1:1337/api/invoices?filters%5Bname%5D%5B%24eq%5D=a%26b%20c&pagination%5Bpage%5D=1&pagination%5BpageSize%5D=100&sort=id%3Aasc");

        var third = StrapiPageQuery.ForPage(first, 3);

        Assert.Equal("/api/invoices", third.AbsolutePath);
        var query = QueryHelpers.ParseQuery(third.Query);
        Assert.Equal("3", query["pagination[page]"]);
        Assert.Equal("100", query["pagination[pageSize]"]);
        Assert.Equal("a&b c", query["filters[name][$eq]"]);
        Assert.Equal("id:asc", query["sort"]);
    }

    private static Dictionary<string, string> Apply(string raw)
    {
        var http = new DefaultHttpContext();
        http.Request.QueryString = new QueryString(raw);
        var context = new QueryTransformContext(http.Request);

        StrapiPageQuery.Apply(context, CsvExport.Invoices);

        return QueryHelpers.ParseQuery(context.QueryString.Value).ToDictionary(pair => pair.Key, pair => pair.Value.ToString());
    }
}

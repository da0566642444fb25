using System.Net;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Redirects;

/// <summary>Issue 16's rules beyond exact paths, against a real Redis: prefix, status, case, expiry.</summary>
public sealed class RedirectRulesTests : RedirectTestBed
{
    [Fact]
    public async Task Prefix_WithAndWithoutTheRestOfThePath()
    {
        await SetRawAsync("/docs", """{"destination":"/manual","permanent":false,"match":"prefix"}""");
        await SetRawAsync("/old-blog", """{"destination":"/blog?from=old","permanent":true,"match":"prefix","keepPath":false}""");
        var client = await StartGatewayAsync();

        await AssertRedirectAsync(client, "/docs", HttpStatusCode.TemporaryRedirect, "/manual");
        await AssertRedirectAsync(client, "/docs/a/b", HttpStatusCode.TemporaryRedirect, "/manual/a/b");
        await AssertRedirectAsync(client, "/docs/a%20b/caf%C3%A9?q=1", HttpStatusCode.TemporaryRedirect, "/manual/a%20b/caf%C3%A9?q=1");
        await AssertRedirectAsync(client, "/old-blog/2019/post", HttpStatusCode.PermanentRedirect, "/blog?from=old");
        using var sibling = await client.GetAsync("/docsx");
        Assert.Equal(HttpStatusCode.OK, sibling.StatusCode);
    }

    [Fact]
    public async Task LongestPrefixWins_ExactBeatsPrefix()
    {
        await SetRawAsync("/a", """{"destination":"/one","permanent":false,"match":"prefix"}""");
        await SetRawAsync("/a/b", """{"destination":"/two","permanent":false,"match":"prefix"}""");
        await SetRawAsync("/a/b/c", """{"destination":"/exact","permanent":false}""");
        var client = await StartGatewayAsync();

        await AssertRedirectAsync(client, "/a/x", HttpStatusCode.TemporaryRedirect, "/one/x");
        await AssertRedirectAsync(client, "/a/b/x", HttpStatusCode.TemporaryRedirect, "/two/x");
        await AssertRedirectAsync(client, "/a/b/c", HttpStatusCode.TemporaryRedirect, "/exact");
        await AssertRedirectAsync(client, "/a/b/c/d", HttpStatusCode.TemporaryRedirect, "/two/c/d");

        // Live edits follow the same rules.
        await SetRawAsync("/a/b/c", """{"destination":"/three","permanent":false,"match":"prefix"}""");
        await EventuallyLocationAsync(client, "/a/b/c/d", "/three/d");
    }

    [Theory]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(303)]
    [InlineData(307)]
    [InlineData(308)]
    public async Task EachStatusCode_Answered(int status)
    {
        await SetRawAsync("/s", $$"""{"destination":"/t","status":{{status}}}""");
        var client = await StartGatewayAsync(AdminKey);
        using (var put = await PutAsync(client, "%2Fput", $$"""{"destination":"/t","status":{{status}}}""", AdminKey))
        {
            Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        }

        await AssertRedirectAsync(client, "/s", (HttpStatusCode)status, "/t");
        await AssertRedirectAsync(client, "/put", (HttpStatusCode)status, "/t");
    }

    [Theory]
    [InlineData("""{"destination":"/t","status":304}""")]
    [InlineData("""{"destination":"/t","status":302,"permanent":true}""")]
    [InlineData("""{"destination":"/t","permanent":false,"match":"glob"}""")]
    [InlineData("""{"destination":"/docs/v2","permanent":false,"match":"prefix"}""")]
    [InlineData("""{"destination":"/DOCS","permanent":false,"match":"prefix","caseSensitive":false}""")]
    [InlineData("""{"destination":"/t","permanent":false,"expiresAt":"2020-01-01T00:00:00Z"}""")]
    public async Task BadRule_RefusedByTheAdminApi(string json)
    {
        var client = await StartGatewayAsync(AdminKey);

        using var put = await PutAsync(client, "%2Fdocs", json, AdminKey);

        await ProblemAssert.IsProblemAsync(put, HttpStatusCode.BadRequest);
        Assert.False(await _ops.GetDatabase().KeyExistsAsync(Prefix + "/docs"));
    }

    [Fact]
    public async Task CaseInsensitiveEntry_MatchesAnyAsciiCase_OthersStayExact()
    {
        await SetRawAsync("/Promo", """{"destination":"/offers","permanent":false,"caseSensitive":false}""");
        await SetRawAsync("/Strict", """{"destination":"/s","permanent":false}""");
        await SetRawAsync("/Guides", """{"destination":"/manual","permanent":false,"match":"prefix","caseSensitive":false}""");
        var client = await StartGatewayAsync();
        await SetRawAsync("/LiveEdit", """{"destination":"/l","permanent":false,"caseSensitive":false}""");

        await AssertRedirectAsync(client, "/promo", HttpStatusCode.TemporaryRedirect, "/offers");
        await AssertRedirectAsync(client, "/PROMO", HttpStatusCode.TemporaryRedirect, "/offers");
        await AssertRedirectAsync(client, "/GUIDES/Intro", HttpStatusCode.TemporaryRedirect, "/manual/Intro");
        await EventuallyLocationAsync(client, "/liveedit", "/l");
        using var strict = await client.GetAsync("/strict");
        Assert.Equal(HttpStatusCode.OK, strict.StatusCode);
    }

    [Fact]
    public async Task Expiry_ByExpiresAtOrRedisTtl_NoLongerServedOnTwoGatewaysWithinASecond()
    {
        var first = await StartGatewayAsync();
        var second = await StartGatewayAsync();
        var at = DateTimeOffset.UtcNow.AddSeconds(2);
        await SetRawAsync("/by-field", $$"""{"destination":"/x","permanent":false,"expiresAt":"{{at:O}}"}""");
        await _ops.GetDatabase().StringSetAsync(Prefix + "/by-ttl", """{"destination":"/x","permanent":false}""", TimeSpan.FromSeconds(2));
        foreach (var client in new[] { first, second })
        {
            await EventuallyAsync(client, "/by-field", HttpStatusCode.TemporaryRedirect, Within);
            await EventuallyAsync(client, "/by-ttl", HttpStatusCode.TemporaryRedirect, Within);
        }

        await Task.Delay(at - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(50));
        foreach (var client in new[] { first, second })
        {
            await EventuallyAsync(client, "/by-field", HttpStatusCode.OK, Within);
            await EventuallyAsync(client, "/by-ttl", HttpStatusCode.OK, Within);
        }
    }

    private static async Task EventuallyLocationAsync(HttpClient client, string path, string location)
    {
        var deadline = DateTime.UtcNow + Within;
        string? last;
        do
        {
            using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
            last = response.Headers.Location?.OriginalString;
            if (last == location)
            {
                return;
            }

            await Task.Delay(20);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Fail($"{path} redirected to {last}, not {location}");
    }
}

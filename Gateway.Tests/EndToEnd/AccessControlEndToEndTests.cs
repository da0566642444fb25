using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.EndToEnd;

/// <summary>
/// Issue 13 against the real Strapi: sign-in through the gateway, the reader/editor policies, anonymous callers,
/// Strapi JWTs as bearer tokens, wrong passwords and their limit, and what a hostile page can make a browser send.
/// </summary>
[Collection(StrapiCollection.Name)]
public sealed class AccessControlEndToEndTests(StrapiStack stack)
{
    private const string EvilOrigin = "https://evil.example.net";

    /// <summary>Every /api route of the contract, one request each.</summary>
    public static TheoryData<string, string> ApiRoutes => new()
    {
        { "GET", "/api/v2/invoices/en-us" },
        { "HEAD", "/api/v2/invoices/en-us" },
        { "POST", "/api/v2/invoices/en-us" },
        { "GET", "/api/v2/invoices/en-us/csv" },
        { "GET", "/api/v2/invoices/en-us/abc123" },
        { "PUT", "/api/v2/invoices/en-us/abc123" },
        { "DELETE", "/api/v2/invoices/en-us/abc123" },
        { "GET", "/api/v2/customers/en-us" },
        { "POST", "/api/v2/customers/en-us" },
        { "PUT", "/api/v2/customers/en-us/abc123" },
        { "DELETE", "/api/v2/revenues/en-us/abc123" },
        { "GET", "/api/v2/revenues/en-us" },
        { "GET", "/api/v2/invoices/fr" },
        { "GET", "/api/v1/invoices" },
        { "GET", "/api/redirects/-api-v1-revenues" },
        { "GET", "/api/redirects" },
        { "PUT", "/api/redirects/-x" },
    };

    /// <summary>A JWT that Strapi itself issues for these credentials (what a script would get from Strapi).</summary>
    public static async Task<string> StrapiJwtAsync(StrapiStack stack, string identifier, string password)
    {
        ArgumentNullException.ThrowIfNull(stack);
        using var strapi = new HttpClient { BaseAddress = stack.Strapi.BaseUrl };
        using var response = await strapi.PostAsJsonAsync("/api/auth/local", new { identifier, password });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.JsonAsync()).Str("jwt");
    }

    [Theory]
    [MemberData(nameof(ApiRoutes))]
    public async Task Anonymous_EveryApiRoute_401Problem_NothingChanged(string method, string path)
    {
        var before = (await stack.Direct.GetJsonAsync("/api/invoices")).Pagination().Int("total");

        using var response = await stack.Anonymous.SendAsync(Json(method, path, new { amount = 1, invoice_status = "paid" }));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        if (method != "HEAD")
        {
            await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized);
        }

        Assert.Equal(before, (await stack.Direct.GetJsonAsync("/api/invoices")).Pagination().Int("total"));
    }

    [Fact]
    public async Task Reader_ListsAndExports_ButEveryWriteIs403()
    {
        using (var list = await stack.Reader.GetAsync("/api/v2/invoices/en-us"))
        {
            Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        }

        using (var csv = await stack.Reader.GetAsync("/api/v2/invoices/en-us/csv"))
        {
            Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
            Assert.StartsWith("id,documentId,", await csv.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var victim = (await stack.Direct.GetJsonAsync("/api/invoices?sort=id:asc")).GetProperty("data")[0].Str("documentId");
        var total = (await stack.Direct.GetJsonAsync("/api/invoices")).Pagination().Int("total");
        using var post = await stack.Reader.SendAsync(Json("POST", "/api/v2/invoices/en-us", new { amount = 5, invoice_status = "paid" }));
        using var put = await stack.Reader.SendAsync(Json("PUT", $"/api/v2/invoices/en-us/{victim}", new { amount = 5 }));
        using var delete = await stack.Reader.DeleteAsync($"/api/v2/invoices/en-us/{victim}");

        await ProblemAssert.IsProblemAsync(post, HttpStatusCode.Forbidden);
        await ProblemAssert.IsProblemAsync(put, HttpStatusCode.Forbidden);
        await ProblemAssert.IsProblemAsync(delete, HttpStatusCode.Forbidden);
        Assert.Equal(total, (await stack.Direct.GetJsonAsync("/api/invoices")).Pagination().Int("total"));
        using var still = await stack.Direct.GetAsync($"/api/invoices/{victim}");
        Assert.Equal(HttpStatusCode.OK, still.StatusCode);
    }

    [Fact]
    public async Task Editor_CreatesUpdatesDeletes()
    {
        using var post = await stack.Gateway.SendAsync(Json("POST", "/api/v2/revenues/en-us", new { month = "Acc" + Guid.NewGuid().ToString("N")[..6], revenue = 7 }));
        Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        var id = (await post.JsonAsync()).GetProperty("data").Str("documentId");

        using var put = await stack.Gateway.SendAsync(Json("PUT", $"/api/v2/revenues/en-us/{id}", new { revenue = 8 }));
        using var delete = await stack.Gateway.DeleteAsync($"/api/v2/revenues/en-us/{id}");

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        using var gone = await stack.Direct.GetAsync($"/api/revenues/{id}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task Me_SaysWhoIsSignedIn_AndAnonymousIs401()
    {
        var me = await stack.Gateway.GetJsonAsync("/auth/me");
        using var anonymous = await stack.Anonymous.GetAsync("/auth/me");

        Assert.Equal(StrapiServer.EditorEmail, me.Str("email"));
        Assert.Equal("editor", me.Str("name"));
        Assert.Equal(["editor"], me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("strapi", me.Str("source"));
        await ProblemAssert.IsProblemAsync(anonymous, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task StrapiJwt_AsBearer_ReaderReads_WritesAre403_ForgedIs401()
    {
        var jwt = await StrapiJwtAsync(stack, StrapiServer.ReaderEmail, StrapiServer.ReaderPassword);

        using var list = await stack.Anonymous.SendAsync(Bearer(new HttpRequestMessage(HttpMethod.Get, "/api/v2/invoices/en-us"), jwt));
        using var me = await stack.Anonymous.SendAsync(Bearer(new HttpRequestMessage(HttpMethod.Get, "/auth/me"), jwt));
        using var post = await stack.Anonymous.SendAsync(Bearer(Json("POST", "/api/v2/invoices/en-us", new { amount = 1 }), jwt));
        var forged = jwt[..^4] + (jwt.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA");
        using var refused = await stack.Anonymous.SendAsync(Bearer(new HttpRequestMessage(HttpMethod.Get, "/api/v2/invoices/en-us"), forged));

        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal(["reader"], (await me.JsonAsync()).GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        await ProblemAssert.IsProblemAsync(post, HttpStatusCode.Forbidden);
        await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.Unauthorized);
        Assert.Contains(refused.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
    }

    [Fact]
    public async Task WrongPassword_401WithoutHint_SixthQuickTry429WithRetryAfter()
    {
        var client = From("10.13.0.1");
        var wrongPassword = await SignInAsync(client, StrapiServer.EditorEmail, "not-the-password");
        var unknownUser = await SignInAsync(client, "nobody@demo.local", "not-the-password");
        Assert.Equal(HttpStatusCode.Unauthorized, wrongPassword.Status);
        Assert.Equal(wrongPassword.Body, unknownUser.Body.Replace(unknownUser.TraceId, wrongPassword.TraceId, StringComparison.Ordinal));

        // A fresh identifier, so the demo users stay usable: five failures from one address, then its sixth is refused
        // at once; another address that has not failed is not locked out by them (issue 24).
        var identifier = $"guess-{Guid.NewGuid():N}@demo.local";
        var guesser = From("10.13.1.1");
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await SignInAsync(guesser, identifier, "guess" + i)).Status);
        }

        using var sixth = await guesser.PostAsJsonAsync("/auth/login", new { identifier = identifier.ToUpperInvariant(), password = "guess5" });
        Assert.Equal(HttpStatusCode.Unauthorized, (await SignInAsync(From("10.13.2.1"), identifier, "guess6")).Status);
        await ProblemAssert.IsProblemAsync(sixth, HttpStatusCode.TooManyRequests);
        Assert.True(sixth.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Contains(stack.Host.Logs.Lines, line => line.Contains(identifier, StringComparison.Ordinal));
        Assert.DoesNotContain(stack.Host.Logs.Lines, line => line.Contains("guess3", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SignIn_PerClientLimit_429WithRetryAfter()
    {
        var client = From("10.13.3.1");
        HttpStatusCode last = default;
        for (var i = 0; i < 11 && last != HttpStatusCode.TooManyRequests; i++)
        {
            using var response = await client.PostAsJsonAsync("/auth/login", new { identifier = $"someone{i}@demo.local", password = "x" });
            last = response.StatusCode;
            if (last == HttpStatusCode.TooManyRequests)
            {
                Assert.NotNull(response.Headers.RetryAfter);
            }
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, last);
    }

    [Theory]
    [InlineData("text/plain", "{\"identifier\":\"a\",\"password\":\"b\"}", HttpStatusCode.UnsupportedMediaType)]
    [InlineData("application/json", "{\"identifier\":\"a\"}", HttpStatusCode.BadRequest)]
    [InlineData("application/json", "{\"identifier\":", HttpStatusCode.BadRequest)]
    [InlineData("application/json", "[]", HttpStatusCode.BadRequest)]
    public async Task SignIn_BadBody_Problem(string contentType, string body, HttpStatusCode status)
    {
        using var response = await From("10.13.4.1").PostAsync("/auth/login", new StringContent(body, Encoding.UTF8, contentType));

        await ProblemAssert.IsProblemAsync(response, status);
    }

    [Fact]
    public async Task SessionCookie_HttpOnly_SameSiteLax_NoStrapiJwtInTheAnswer()
    {
        using var response = await From("10.13.5.1").PostAsJsonAsync("/auth/login",
            new { identifier = StrapiServer.ReaderEmail, password = StrapiServer.ReaderPassword });

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith("gateway.session=", cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("eyJ", cookie, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logout_204_CookieCleared()
    {
        using var response = await stack.Anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/auth/logout"));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith("gateway.session=;", cookie, StringComparison.Ordinal);
        Assert.Contains("expires=Thu, 01 Jan 1970", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task HostilePage_CrossOriginRead_NoCorsHeaders_NotEvenStrapis()
    {
        using var direct = new HttpRequestMessage(HttpMethod.Get, "/api/invoices");
        direct.Headers.Add("Origin", EvilOrigin);
        using var strapiAnswer = await stack.Direct.SendAsync(direct);
        Assert.Equal(EvilOrigin, strapiAnswer.Headers.GetValues("Access-Control-Allow-Origin").Single());

        using var read = new HttpRequestMessage(HttpMethod.Get, "/api/v2/invoices/en-us");
        read.Headers.Add("Origin", EvilOrigin);
        using var response = await stack.Gateway.SendAsync(read);
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/v2/invoices/en-us");
        preflight.Headers.Add("Origin", EvilOrigin);
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        using var preflightAnswer = await stack.Anonymous.SendAsync(preflight);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(response.Headers, h => h.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(preflightAnswer.Headers, h => h.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData("application/x-www-form-urlencoded", "amount=1&invoice_status=paid")]
    [InlineData("text/plain", "{\"amount\":1,\"invoice_status\":\"paid\"}")]
    [InlineData("multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"amount\"\r\n\r\n1\r\n--x--\r\n")]
    public async Task HostilePage_FormOrTextPost_WithSessionCookie_415_NothingCreated(string contentType, string body)
    {
        var before = (await stack.Direct.GetJsonAsync("/api/invoices")).Pagination().Int("total");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v2/invoices/en-us")
        {
            Content = new StringContent(body, Encoding.UTF8),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);

        using var response = await stack.Gateway.SendAsync(request);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
        Assert.Equal(before, (await stack.Direct.GetJsonAsync("/api/invoices")).Pagination().Int("total"));
    }

    [Theory]
    [InlineData("Origin", EvilOrigin)]
    [InlineData("Origin", "null")]
    [InlineData("Sec-Fetch-Site", "cross-site")]
    [InlineData("Sec-Fetch-Site", "same-site")]
    public async Task HostilePage_CrossSiteCookiePost_403_NothingCreated(string header, string value)
    {
        var before = (await stack.Direct.GetJsonAsync("/api/invoices")).Pagination().Int("total");
        var request = Json("POST", "/api/v2/invoices/en-us", new { amount = 1, invoice_status = "paid" });
        request.Headers.Add(header, value);

        using var response = await stack.Gateway.SendAsync(request);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden);
        Assert.Equal(before, (await stack.Direct.GetJsonAsync("/api/invoices")).Pagination().Int("total"));
    }

    [Fact]
    public async Task SameOriginCookiePost_FromTheBrowser_Allowed()
    {
        var request = Json("POST", "/api/v2/revenues/en-us", new { month = "So" + Guid.NewGuid().ToString("N")[..6], revenue = 1 });
        request.Headers.Add("Origin", stack.Host.Address.GetLeftPart(UriPartial.Authority));
        request.Headers.Add("Sec-Fetch-Site", "same-origin");

        using var response = await stack.Gateway.SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await response.JsonAsync()).GetProperty("data").Str("documentId");
        using var cleanup = await stack.Direct.DeleteAsync($"/api/revenues/{id}");
    }

    private HttpClient From(string address)
    {
        var client = stack.Host.CreateGatewayClient();
        client.DefaultRequestHeaders.Add("X-Forwarded-For", address);
        return client;
    }

    private static async Task<(HttpStatusCode Status, string Body, string TraceId)> SignInAsync(HttpClient client, string identifier, string password)
    {
        using var response = await client.PostAsJsonAsync("/auth/login", new { identifier, password });
        var body = await response.Content.ReadAsStringAsync();
        var traceId = response.StatusCode == HttpStatusCode.Unauthorized ? (await response.JsonAsync()).Str("traceId") : "";
        return (response.StatusCode, body, traceId);
    }

    private static HttpRequestMessage Json(string method, string path, object body)
        => new(new HttpMethod(method), path) { Content = method is "GET" or "HEAD" or "DELETE" ? null : JsonContent.Create(body) };

    private static HttpRequestMessage Bearer(HttpRequestMessage request, string token)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Gateway.Tests.EndToEnd;

/// <summary>
/// Issue 24 against the real Strapi: a user changed through Strapi's own API reaches every replica's sessions and
/// bearer tokens through the Strapi project's lifecycle hook, and, with the hook's message lost, through the
/// re-check. Each test makes its own user (the demo users' sessions are the other end-to-end tests' fixture), and
/// signs in as its own client address (the stack's test client is a trusted proxy), so no test uses another's limits.
/// </summary>
[Collection(StrapiCollection.Name)]
public sealed class UserChangeEndToEndTests(StrapiStack stack, ITestOutputHelper output)
{
    private const string Password = "user-Change-Password-1";

    [Fact]
    public async Task BlockedInStrapi_CookieAndStrapiJwtRefusedOnEveryReplica_ByTheHook()
    {
        var (id, email) = await CreateUserAsync("reader");
        await using var replica = stack.Replica();
        var replicaClient = replica.CreateGatewayClient();
        var cookie = await SignInAsync(email);
        var jwt = await StrapiJwtAsync(email);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(stack.Anonymous, cookie, null));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(replicaClient, cookie, null));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(replicaClient, null, jwt));

        var watch = Stopwatch.StartNew();
        await UpdateUserAsync(id, new { blocked = true });
        var updated = watch.Elapsed;

        // Strapi answers the update after its hook was delivered: refused at once, on both replicas.
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(replicaClient, cookie, null));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(stack.Anonymous, cookie, null));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(replicaClient, null, jwt));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(stack.Anonymous, null, jwt));
        output.WriteLine($"block in Strapi -> refused on both replicas: {watch.Elapsed.TotalMilliseconds:0} ms (Strapi's update answered after {updated.TotalMilliseconds:0} ms)");
    }

    [Fact]
    public async Task RoleChangedInStrapi_ReaderToEditor_NextRequestHasTheNewRole()
    {
        var (id, email) = await CreateUserAsync("reader");
        await using var replica = stack.Replica();
        var replicaClient = replica.CreateGatewayClient();
        var cookie = await SignInAsync(email);
        Assert.Equal(["reader"], await RolesAsync(replicaClient, cookie));

        await UpdateUserAsync(id, new { role = await RoleIdAsync("editor") });

        Assert.Equal(["editor"], await RolesAsync(replicaClient, cookie));
        Assert.Equal(["editor"], await RolesAsync(stack.Anonymous, cookie));
    }

    [Fact]
    public async Task HookNotHeard_RecheckIntervalEndsABlockedUsersSessionAndBearer()
    {
        // Two replicas on a Redis of their own: the hook's message reaches the stack's gateway, never them.
        await using var redis = await RedisServer.StartAsync();
        var settings = new Dictionary<string, string?>(stack.GatewaySettings)
        {
            ["Access:Session:RecheckInterval"] = "00:00:02",
            ["Access:StrapiJwt:RoleCacheTime"] = "00:00:02",
        };
        await using var first = new GatewayHost(stack.Strapi.BaseUrl, stack.Frontend.BaseUrl, redis.Configuration, settings, accessControl: true);
        await using var second = new GatewayHost(stack.Strapi.BaseUrl, stack.Frontend.BaseUrl, redis.Configuration, settings, accessControl: true);
        var (one, two) = (first.CreateGatewayClient(), second.CreateGatewayClient());
        var (id, email) = await CreateUserAsync("reader");
        var cookie = await SignInAsync(email, one);
        var jwt = await StrapiJwtAsync(email);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(two, cookie, null));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(two, null, jwt));

        await UpdateUserAsync(id, new { blocked = true });
        var watch = Stopwatch.StartNew();
        var (cookieRefused, bearerRefused) = (false, false);
        while ((!cookieRefused || !bearerRefused) && watch.Elapsed < TimeSpan.FromSeconds(15))
        {
            cookieRefused |= await StatusAsync(two, cookie, null) == HttpStatusCode.Unauthorized;
            bearerRefused |= await StatusAsync(two, null, jwt) == HttpStatusCode.Unauthorized;
            await Task.Delay(100);
        }

        Assert.True(cookieRefused && bearerRefused, $"cookie refused: {cookieRefused}, bearer refused: {bearerRefused}");
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(one, cookie, null));
        output.WriteLine($"block without the hook -> both refused after {watch.Elapsed.TotalMilliseconds:0} ms (re-check interval 2 s)");
    }

    private async Task<(int Id, string Email)> CreateUserAsync(string role)
    {
        var name = "u" + Guid.NewGuid().ToString("N")[..12];
        var email = name + "@change.test";
        using var response = await stack.Direct.PostAsJsonAsync("/api/users",
            new { username = name, email, password = Password, confirmed = true, blocked = false, role = await RoleIdAsync(role) });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return ((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32(), email);
    }

    private async Task UpdateUserAsync(int id, object change)
    {
        using var response = await stack.Direct.PutAsJsonAsync($"/api/users/{id}", change);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task<int> RoleIdAsync(string type)
    {
        var roles = await stack.Direct.GetFromJsonAsync<JsonElement>("/api/users-permissions/roles");
        return roles.GetProperty("roles").EnumerateArray().Single(r => r.GetProperty("type").GetString() == type).GetProperty("id").GetInt32();
    }

    /// <summary>Signs in from a client address of its own (the test client is a trusted proxy), so the sign-in limit is this test's.</summary>
    private async Task<string> SignInAsync(string email, HttpClient? through = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/auth/login") { Content = JsonContent.Create(new { identifier = email, password = Password }) };
        request.Headers.Add("X-Forwarded-For", $"198.51.100.{Random.Shared.Next(1, 250)}");
        using var response = await (through ?? stack.Anonymous).SendAsync(request);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        return response.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
    }

    private async Task<string> StrapiJwtAsync(string email)
    {
        using var strapi = new HttpClient { BaseAddress = stack.Strapi.BaseUrl };
        using var response = await strapi.PostAsJsonAsync("/api/auth/local", new { identifier = email, password = Password });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jwt").GetString()!;
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient client, string? cookie, string? jwt)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v2/invoices/en-us?pagination[pageSize]=1");
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }

        if (jwt is not null)
        {
            request.Headers.Authorization = new("Bearer", jwt);
        }

        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    private static async Task<string[]> RolesAsync(HttpClient client, string cookie)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/auth/me");
        request.Headers.Add("Cookie", cookie);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("roles").EnumerateArray().Select(r => r.GetString()!)];
    }
}

using System.Net;
using Gateway.Hosting;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Hosting;

public sealed class YarpJsonTests : IClassFixture<RedisFixture>, IAsyncLifetime
{
    private readonly RedisFixture _redis;
    private readonly string _directory = Directory.CreateTempSubdirectory("yarp-json-").FullName;
    private StubUpstream _strapi = null!;
    private StubUpstream _frontend = null!;

    public YarpJsonTests(RedisFixture redis) => _redis = redis;

    public async Task InitializeAsync()
    {
        _strapi = await StubUpstream.StartAsync();
        _frontend = await StubUpstream.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _strapi.DisposeAsync();
        await _frontend.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task RouteMapEdited_NewRouteServedWithoutRestart()
    {
        var map = Path.Combine(_directory, "yarp.json");
        var original = await File.ReadAllTextAsync(RepositoryPaths.File("yarp.json"));
        await File.WriteAllTextAsync(map, original);
        await using var gateway = new GatewayHost(_strapi.BaseUrl, _frontend.BaseUrl, _redis.Server.Configuration);
        gateway.EarlySettings[YarpJsonExtensions.PathKey] = map;
        using var client = gateway.CreateGatewayClient();

        using (var before = await client.GetAsync("/api/v2/orders/en-us"))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
            Assert.Single(_frontend.Requests);
        }

        // Ops add a route to the map of a running gateway.
        var edited = original.Replace(
            "\"Routes\": {",
            "\"Routes\": " + """{ "orders": { "ClusterId": "strapi", "AuthorizationPolicy": "anonymous", "Match": { "Path": "/api/v2/orders/en-us" }, "Transforms": [ { "PathSet": "/api/orders" } ] },""",
            StringComparison.Ordinal);
        Assert.NotEqual(original, edited);
        await File.WriteAllTextAsync(map, edited);

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (_strapi.Requests.IsEmpty && DateTime.UtcNow < deadline)
        {
            using var response = await client.GetAsync("/api/v2/orders/en-us");
            await Task.Delay(100);
        }

        var seen = _strapi.OnlyRequest();
        Assert.Equal("/api/orders", seen.Target);
        Assert.Equal($"Bearer {GatewayHost.Token}", seen.Header("Authorization"));
    }

    [Fact]
    public void Locate_ExplicitPathMissing_ClearError()
    {
        var error = Assert.Throws<FileNotFoundException>(() => YarpJsonExtensions.Locate(Path.Combine(_directory, "nope.json"), _directory));

        Assert.Contains(YarpJsonExtensions.PathKey, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Locate_FromProjectDirectory_FindsTheRepositoryMap()
    {
        var found = YarpJsonExtensions.Locate(null, Path.GetDirectoryName(RepositoryPaths.File("Gateway/Gateway.csproj"))!);

        Assert.Equal(RepositoryPaths.File("yarp.json"), found);
    }
}

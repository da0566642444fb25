using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Gateway.Tests.Infrastructure;
using Json.Schema;

namespace Gateway.Tests.Deployment;

/// <summary>
/// docker-compose.yml, checked without a Docker engine: valid against the Compose specification's JSON schema, and
/// every path, port and gateway setting it names exists, so the file cannot rot unseen.
/// </summary>
public sealed partial class ComposeFileTests
{
    /// <summary>
    /// Settings of the access-control feature (Access:*), built on another branch at the same time as this file; the
    /// check below takes them once the gateway's options define them. Remove an entry here once that has merged.
    /// </summary>
    private static readonly string[] PendingKeys = [];

    private static readonly JsonObject Compose = (JsonObject)YamlJson.Load(RepositoryPaths.File("docker-compose.yml"))!;

    /// <summary>
    /// The schema names its dialect <c>https://json-schema.org/draft-07/schema</c>, draft 7 under a URI JsonSchema.Net
    /// does not know (draft 7's own id is <c>http://json-schema.org/draft-07/schema#</c>): read as draft 7 under that id.
    /// </summary>
    private static readonly Lazy<JsonSchema> ComposeSchema = new(() =>
    {
        var document = JsonNode.Parse(File.ReadAllText(RepositoryPaths.File("Gateway.Tests/Deployment/compose-spec.json")))!.AsObject();
        Assert.Equal("https://json-schema.org/draft-07/schema", (string?)document["$schema"]);
        document["$schema"] = MetaSchemas.Draft7Id.OriginalString;
        return JsonSchema.FromText(document.ToJsonString());
    });

    private static JsonObject Services => (JsonObject)Compose["services"]!;

    private static JsonObject Service(string name) => (JsonObject)Services[name]!;

    [Fact]
    public void ValidAgainstTheComposeSpecification()
    {
        var schema = ComposeSchema.Value;

        var result = schema.Evaluate(Compose, new EvaluationOptions { OutputFormat = OutputFormat.List });

        var errors = result.Details.Where(d => d.Errors is not null)
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"));
        Assert.True(result.IsValid, string.Join(System.Environment.NewLine, errors));
    }

    [Fact]
    public void SchemaCheck_CatchesAnInvalidFile()
    {
        var schema = ComposeSchema.Value;
        var broken = Compose.DeepClone().AsObject();
        broken["services"]!["gateway"]!["stop_grace_period"] = 30;
        broken["services"]!["gateway"]!["replica"] = 3;

        Assert.False(schema.Evaluate(broken).IsValid);
    }

    [Fact]
    public void BuildContextsAndDockerfiles_Exist()
    {
        var builds = Services.Where(s => s.Value!["build"] is not null).ToList();
        Assert.Equal(["gateway", "strapi"], builds.Select(s => s.Key).Order());
        foreach (var (_, service) in builds)
        {
            var context = RepositoryPaths.File((string)service!["build"]!["context"]!);
            Assert.True(Directory.Exists(context), context);
            var dockerfile = Path.Combine(context, (string?)service["build"]!["dockerfile"] ?? "Dockerfile");
            Assert.True(File.Exists(dockerfile), dockerfile);
            foreach (var source in CopySources(dockerfile))
            {
                Assert.True(File.Exists(Path.Combine(context, source)) || Directory.Exists(Path.Combine(context, source)), $"{dockerfile}: COPY {source}");
            }
        }
    }

    [Fact]
    public void MountedFiles_Exist()
    {
        var mounts = Services.SelectMany(s => s.Value!["volumes"]?.AsArray() ?? []).Select(v => ((string)v!).Split(':')[0])
            .Where(source => source.StartsWith('.')).ToList();

        Assert.Contains("./deploy/nginx.conf", mounts);
        Assert.All(mounts, source => Assert.True(File.Exists(RepositoryPaths.File(source)) || Directory.Exists(RepositoryPaths.File(source)), source));
    }

    [Fact]
    public void OnlyTheLoadBalancerPublishesAPort_AndItIsTheOneNginxListensOn()
    {
        Assert.Equal(["lb"], Services.Where(s => s.Value!["ports"] is not null).Select(s => s.Key));
        var published = (string)Service("lb")["ports"]!.AsArray().Single()!;
        var nginx = File.ReadAllText(RepositoryPaths.File("deploy/nginx.conf"));

        var target = published.Split(':')[^1];
        Assert.Matches($@"\blisten {target};", nginx);
    }

    [Fact]
    public void Ports_MatchWhatEachImageListensOn()
    {
        var nginx = File.ReadAllText(RepositoryPaths.File("deploy/nginx.conf"));
        var gatewayImage = File.ReadAllText(RepositoryPaths.File("Dockerfile"));
        var strapiImage = File.ReadAllText(RepositoryPaths.File("strapi/Dockerfile"));
        var environment = Environment("gateway");

        // nginx → gateway: the port the image's Urls binds and exposes; the healthcheck asks the same port.
        var gatewayPort = NginxUpstreamPort().Match(nginx).Groups[1].Value;
        Assert.Contains($"Urls=http://+:{gatewayPort}", gatewayImage, StringComparison.Ordinal);
        Assert.Contains($"EXPOSE {gatewayPort}", gatewayImage, StringComparison.Ordinal);
        Assert.Contains($"/dev/tcp/127.0.0.1/{gatewayPort}", gatewayImage, StringComparison.Ordinal);

        // gateway → Strapi and Redis: the ports those images listen on.
        var strapiPort = new Uri(environment["Strapi__BaseUrl"]).Port;
        Assert.Contains($"PORT={strapiPort}", strapiImage, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{strapiPort}/_health", strapiImage, StringComparison.Ordinal);
        // Redis asks for a password, and the gateways give the same one.
        Assert.Equal("redis:6379,password=${REDIS_PASSWORD:?set REDIS_PASSWORD in .env (see .env.example)}", environment["Redis__Configuration"]);
        Assert.Contains("--requirepass", File.ReadAllText(RepositoryPaths.File("docker-compose.yml")), StringComparison.Ordinal);
        Assert.StartsWith("redis:", (string)Service("redis")["image"]!, StringComparison.Ordinal);
    }

    [Fact]
    public void Redis_HasAMemoryCap_AndAPolicyThatNeverEvictsState_WithTheCacheInItsOwnDatabase()
    {
        var command = Service("redis")["command"]!.AsArray().Select(a => (string)a!).ToList();

        Assert.Matches(@"^\d+(mb|gb)$", command[command.IndexOf("--maxmemory") + 1]);
        Assert.Equal("noeviction", command[command.IndexOf("--maxmemory-policy") + 1]);
        Assert.NotEqual("0", Environment("gateway")["ResponseCache__Database"]);
    }

    [Fact]
    public void GatewaySettings_AreOnesTheGatewayReads()
    {
        var unknown = Environment("gateway").Keys.Select(GatewaySettings.FromEnvironmentName)
            .Where(key => !GatewaySettings.IsKnown(key) && !PendingKeys.Contains(key)).ToList();

        Assert.Empty(unknown);
    }

    [Fact]
    public void ImageSettings_AreOnesTheGatewayReads_AndItsFilesArePutThere()
    {
        var dockerfile = File.ReadAllText(RepositoryPaths.File("Dockerfile"));
        var settings = ImageSetting().Matches(dockerfile).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value, StringComparer.Ordinal);

        Assert.Equal(["Gateway__YarpFile", "Geo__DatabasePath", "Redirects__SeedFile", "Urls"], settings.Keys.Order(StringComparer.Ordinal));
        Assert.All(settings.Keys, name => Assert.True(GatewaySettings.IsKnown(GatewaySettings.FromEnvironmentName(name)), name));
        Assert.Contains("COPY redirects.json ./", dockerfile, StringComparison.Ordinal);
        Assert.Contains("COPY --from=geo /geo/country.mmdb ./geo/country.mmdb", dockerfile, StringComparison.Ordinal);
        Assert.Equal(["/app/geo/country.mmdb", "/app/redirects.json", "/app/yarp.json"],
            new[] { settings["Geo__DatabasePath"], settings["Redirects__SeedFile"], settings["Gateway__YarpFile"] }.Order(StringComparer.Ordinal));
        Assert.Contains("WORKDIR /app", dockerfile, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Strapi:BaseUrl", true)]
    [InlineData("Geo:TrustedProxies:0", true)]
    [InlineData("Geo:Routes:DE", true)]
    [InlineData("Currency:RateApi:Timeout", true)]
    [InlineData("Shutdown:DrainTimeout", true)]
    [InlineData("Strapi:BaseURL", true)]
    [InlineData("Strapi:Url", false)]
    [InlineData("Redis:Configuraton", false)]
    [InlineData("Nothing:At:All", false)]
    public void SettingCheck_KnowsTheGatewaysKeys(string key, bool known) => Assert.Equal(known, GatewaySettings.IsKnown(key));

    [Fact]
    public void TrustedProxy_IsTheLoadBalancersFixedAddress_InsideTheNetwork()
    {
        var address = (string)Service("lb")["networks"]!["edge"]!["ipv4_address"]!;
        var subnet = (string)Compose["networks"]!["edge"]!["ipam"]!["config"]![0]!["subnet"]!;

        Assert.Equal(address, Environment("gateway")["Geo__TrustedProxies__0"]);
        Assert.True(System.Net.IPNetwork.Parse(subnet).Contains(System.Net.IPAddress.Parse(address)));
        Assert.Contains("proxy_set_header X-Forwarded-For $remote_addr;", File.ReadAllText(RepositoryPaths.File("deploy/nginx.conf")), StringComparison.Ordinal);
    }

    [Fact]
    public void StopGracePeriod_LongerThanTheDrainTimeout()
    {
        var grace = ComposeDuration((string)Service("gateway")["stop_grace_period"]!);
        var drain = TimeSpan.Parse(Environment("gateway")["Shutdown__DrainTimeout"], System.Globalization.CultureInfo.InvariantCulture)
            + TimeSpan.Parse(Environment("gateway")["Shutdown__ReadinessDelay"], System.Globalization.CultureInfo.InvariantCulture);

        Assert.True(grace >= drain + TimeSpan.FromSeconds(3), $"stop_grace_period {grace} leaves too little after the drain time {drain}");
    }

    [Fact]
    public void GatewayScales_ReplicasAndNoFixedContainerName()
    {
        var gateway = Service("gateway");

        Assert.NotNull(gateway["deploy"]?["replicas"]);
        Assert.Null(gateway["container_name"]);
        Assert.Null(gateway["ports"]);
    }

    [Fact]
    public void LoadBalancer_ResolverComesFromTheContainer_NotDockersFixedAddress()
    {
        var mounts = Service("lb")["volumes"]!.AsArray().Select(v => (string)v!).ToList();
        var nginx = File.ReadAllText(RepositoryPaths.File("deploy/nginx.conf"));
        var hook = RepositoryPaths.File("deploy/nginx-resolver.envsh");

        // The image's entry point fills the template in; the hook (sourced only when executable) finds the DNS server.
        Assert.Contains("./deploy/nginx.conf:/etc/nginx/templates/nginx.conf.template:ro", mounts);
        Assert.Equal("/etc/nginx", Environment("lb")["NGINX_ENVSUBST_OUTPUT_DIR"]);
        Assert.Contains(mounts, m => m.StartsWith("./deploy/nginx-resolver.envsh:/docker-entrypoint.d/", StringComparison.Ordinal) && m.Contains(".envsh:", StringComparison.Ordinal));
        Assert.True(!OperatingSystem.IsWindows() && File.GetUnixFileMode(hook).HasFlag(UnixFileMode.UserExecute), "deploy/nginx-resolver.envsh is not executable");
        Assert.Contains("export NGINX_RESOLVER", File.ReadAllText(hook), StringComparison.Ordinal);
        Assert.Matches(@"(?m)^\s*resolver \$\{NGINX_RESOLVER\} ", nginx);
        Assert.DoesNotContain("127.0.0.11 ", nginx, StringComparison.Ordinal);
    }

    [Fact]
    public void Strapi_RunsOnPostgres_WithAStatementTimeout_TheDatabaseHealthyFirst()
    {
        var strapi = Environment("strapi");
        var postgres = Service("postgres");
        var database = File.ReadAllText(RepositoryPaths.File("strapi/config/database.js"));

        Assert.Equal("postgres", strapi["DATABASE_CLIENT"]);
        Assert.Equal("postgres", strapi["DATABASE_HOST"]);
        Assert.StartsWith("postgres:", (string)postgres["image"]!, StringComparison.Ordinal);
        Assert.Equal(Environment("postgres")["POSTGRES_PASSWORD"], strapi["DATABASE_PASSWORD"]);
        Assert.Equal(Environment("postgres")["POSTGRES_DB"], strapi["DATABASE_NAME"]);
        // The timeout is one Strapi's database.js reads and gives PostgreSQL, and it is seconds, not minutes.
        Assert.Contains("statement_timeout: env.int('DATABASE_STATEMENT_TIMEOUT'", database, StringComparison.Ordinal);
        Assert.InRange(int.Parse(strapi["DATABASE_STATEMENT_TIMEOUT"], System.Globalization.CultureInfo.InvariantCulture), 1000, 60_000);
        Assert.Equal("service_healthy", (string)Service("strapi")["depends_on"]!["postgres"]!["condition"]!);
        Assert.NotNull(postgres["healthcheck"]);
        Assert.Contains(postgres["volumes"]!.AsArray(), v => ((string)v!).EndsWith(":/var/lib/postgresql/data", StringComparison.Ordinal));
    }

    [Fact]
    public void EveryVariable_IsInTheEnvExample()
    {
        var text = File.ReadAllText(RepositoryPaths.File("docker-compose.yml"));
        var example = File.ReadAllText(RepositoryPaths.File(".env.example"));

        var variables = Variable().Matches(text).Select(m => m.Groups[1].Value).Distinct().ToList();

        Assert.Contains("STRAPI_API_TOKEN", variables);
        Assert.All(variables, name => Assert.Matches($"(?m)^#? ?{name}=", example));
    }

    private static Dictionary<string, string> Environment(string service) =>
        Service(service)["environment"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.ToString(), StringComparer.Ordinal);

    /// <summary>The files and folders a Dockerfile's COPY takes from the build context (not from another stage).</summary>
    private static IEnumerable<string> CopySources(string dockerfile) =>
        File.ReadLines(dockerfile).Where(line => line.StartsWith("COPY ", StringComparison.Ordinal) && !line.Contains("--from=", StringComparison.Ordinal))
            .SelectMany(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Where(w => !w.StartsWith("--", StringComparison.Ordinal)).SkipLast(1));

    private static TimeSpan ComposeDuration(string text)
    {
        var total = TimeSpan.Zero;
        foreach (Match part in DurationPart().Matches(text))
        {
            var value = double.Parse(part.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            total += part.Groups[2].Value switch { "h" => TimeSpan.FromHours(value), "m" => TimeSpan.FromMinutes(value), "s" => TimeSpan.FromSeconds(value), _ => TimeSpan.FromMilliseconds(value) };
        }

        return total;
    }

    /// <summary>A setting in the Dockerfile's ENV: <c>Name=value</c>, name starting with a capital (not DOTNET_/ASPNETCORE_).</summary>
    [GeneratedRegex(@"(?m)(?:ENV |^\s+)([A-Z][A-Za-z]+(?:__[A-Za-z0-9]+)*)=(\S+)")]
    private static partial Regex ImageSetting();

    [GeneratedRegex(@"server gateway:(\d+)")]
    private static partial Regex NginxUpstreamPort();

    [GeneratedRegex(@"\$\{([A-Z_][A-Z0-9_]*)")]
    private static partial Regex Variable();

    [GeneratedRegex(@"(\d+(?:\.\d+)?)(ms|h|m|s)")]
    private static partial Regex DurationPart();
}

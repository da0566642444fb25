using System.Text.Json.Nodes;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Deployment;

/// <summary>
/// deploy/k8s/overlays/redis-sentinel read offline: three Redis pods with a Sentinel each (quorum 2, append-only file on a
/// volume of its own, no eviction), the gateways pointed at the Sentinels with the password from the Secret, a budget that
/// keeps the quorum through a drain, and a network policy that lets only the gateways and Redis itself in. Its scripts run
/// for real in <see cref="RedisSentinelScriptsTests"/>.
/// </summary>
public sealed class KubernetesSentinelOverlayTests
{
    private static readonly string Folder = RepositoryPaths.File("deploy/k8s/overlays/redis-sentinel");

    [Fact]
    public void Kustomization_BuildsOnTheBase_ListsFilesThatExist()
    {
        var kustomization = Load("kustomization.yaml");
        var resources = kustomization["resources"]!.AsArray().Select(r => (string)r!).ToList();

        Assert.Contains("../../base", resources);
        Assert.True(File.Exists(Path.Combine(Folder, "../../base/kustomization.yaml")));
        Assert.All(resources.Where(r => r != "../../base"), file => Assert.True(File.Exists(Path.Combine(Folder, file)), file));
        Assert.Equal(Directory.GetFiles(Folder, "*.yaml").Select(Path.GetFileName).Where(f => f != "kustomization.yaml").Order(),
            resources.Where(r => r != "../../base").Order());
        var scripts = kustomization["configMapGenerator"]!.AsArray().Single()!["files"]!.AsArray().Select(f => (string)f!).ToList();
        Assert.Equal(["redis.sh", "sentinel.sh"], scripts);
    }

    [Fact]
    public void Redis_ThreePods_SentinelQuorumTwo_AppendOnlyOnAVolume_NoEviction_LockedDown()
    {
        var statefulSet = Load("redis-statefulset.yaml");
        var pod = statefulSet["spec"]!["template"]!["spec"]!;
        var containers = pod["containers"]!.AsArray().ToDictionary(c => (string)c!["name"]!, c => c!);

        Assert.Equal(3L, (long)statefulSet["spec"]!["replicas"]!);
        Assert.Equal("data", (string)statefulSet["spec"]!["volumeClaimTemplates"]![0]!["metadata"]!["name"]!);
        Assert.Contains(containers["redis"]["volumeMounts"]!.AsArray(), m => (string)m!["name"]! == "data" && (string)m["mountPath"]! == "/data");
        Assert.True((bool)pod["securityContext"]!["runAsNonRoot"]!);
        foreach (var container in containers.Values)
        {
            Assert.True((bool)container["securityContext"]!["readOnlyRootFilesystem"]!, (string)container["name"]!);
            Assert.False((bool)container["securityContext"]!["allowPrivilegeEscalation"]!);
            Assert.Equal("edge-gateway", (string)Env(container, "REDIS_PASSWORD")["valueFrom"]!["secretKeyRef"]!["name"]!);
            Assert.NotNull(container["resources"]!["limits"]!["memory"]);
        }

        var redis = File.ReadAllText(Path.Combine(Folder, "redis.sh"));
        Assert.Contains("--appendonly yes", redis, StringComparison.Ordinal);
        Assert.Contains("--maxmemory-policy noeviction", redis, StringComparison.Ordinal);
        Assert.Contains("--requirepass", redis, StringComparison.Ordinal);
        var sentinel = File.ReadAllText(Path.Combine(Folder, "sentinel.sh"));
        Assert.Contains("sentinel monitor mymaster $primary 2", sentinel, StringComparison.Ordinal);
        Assert.Contains("sentinel auth-pass mymaster $REDIS_PASSWORD", sentinel, StringComparison.Ordinal);
        Assert.Contains(containers["sentinel"]["volumeMounts"]!.AsArray(), m => (string)m!["mountPath"]! == "/conf"); // Sentinel rewrites its file
    }

    [Fact]
    public void Gateways_AskTheSentinels_WithThePasswordFromTheSecret()
    {
        var patch = Load("kustomization.yaml")["patches"]!.AsArray().Single()!;
        var container = YamlJson.Parse((string)patch["patch"]!)!["spec"]!["template"]!["spec"]!["containers"]![0]!;
        var env = container["env"]!.AsArray().Select(e => (string)e!["name"]!).ToList();
        var configuration = (string)Env(container, "Redis__Configuration")["value"]!;

        Assert.Equal("edge-gateway", (string)patch["target"]!["name"]!);
        Assert.StartsWith("redis-sentinel:26379,serviceName=mymaster,", configuration, StringComparison.Ordinal);
        Assert.Contains("password=$(REDIS_PASSWORD)", configuration, StringComparison.Ordinal);
        // Kubernetes expands $(VAR) only from variables defined before it; the base's secretKeyRef is removed (null).
        Assert.True(env.IndexOf("REDIS_PASSWORD") < env.IndexOf("Redis__Configuration"));
        Assert.True(Env(container, "Redis__Configuration").AsObject().ContainsKey("valueFrom"));
        Assert.Null(Env(container, "Redis__Configuration")["valueFrom"]);
    }

    [Fact]
    public void Budget_KeepsTheQuorum_Services_AndPolicy_SelectTheRedisPods()
    {
        var podLabels = Load("redis-statefulset.yaml")["spec"]!["template"]!["metadata"]!["labels"]!.AsObject();
        bool SelectsRedis(JsonNode? selector) => selector!.AsObject().All(pair => (string?)podLabels[pair.Key] == (string)pair.Value!);

        var budget = Load("redis-poddisruptionbudget.yaml")["spec"]!;
        Assert.Equal(1L, (long)budget["maxUnavailable"]!);
        Assert.True(SelectsRedis(budget["selector"]!["matchLabels"]));
        var services = YamlJson.LoadAll(Path.Combine(Folder, "redis-services.yaml")).ToDictionary(s => (string)s!["metadata"]!["name"]!, s => s!);
        Assert.Equal("redis-headless", (string)Load("redis-statefulset.yaml")["spec"]!["serviceName"]!);
        Assert.Equal("None", (string)services["redis-headless"]["spec"]!["clusterIP"]!);
        Assert.All(services.Values, service => Assert.True(SelectsRedis(service["spec"]!["selector"])));
        Assert.Contains(services["redis-sentinel"]["spec"]!["ports"]!.AsArray(), p => (long)p!["port"]! == 26379);

        var policy = Load("redis-networkpolicy.yaml")["spec"]!;
        Assert.True(SelectsRedis(policy["podSelector"]!["matchLabels"]));
        var from = policy["ingress"]![0]!["from"]!.AsArray().Select(f => f!["podSelector"]!["matchLabels"]!.AsObject()).ToList();
        Assert.Contains(from, labels => (string?)labels["app.kubernetes.io/name"] == "edge-gateway");
        Assert.Equal(2, from.Count);
    }

    private static JsonNode Load(string file) => YamlJson.Load(Path.Combine(Folder, file))!;

    private static JsonNode Env(JsonNode container, string name) => container["env"]!.AsArray().Single(e => (string)e!["name"]! == name)!;
}

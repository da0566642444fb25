using System.Globalization;
using System.Text.Json.Nodes;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Deployment;

/// <summary>
/// deploy/k8s/base (kustomize) read as the cluster would get it, offline: what the operator guide promises of the Deployment
/// (probes on the management port, a pre-stop delay, a grace period longer than delay plus drain, non-root, read-only
/// root file system, resources, secrets by reference), and that the Service, PodDisruptionBudget and autoscaler point at it.
/// </summary>
public sealed class KubernetesManifestTests
{
    private static readonly string Folder = RepositoryPaths.File("deploy/k8s/base");

    [Fact]
    public void Kustomization_ListsFilesThatExist_EveryManifestOnce()
    {
        var resources = Kustomization()["resources"]!.AsArray().Select(r => (string)r!).ToList();

        Assert.All(resources, file => Assert.True(File.Exists(Path.Combine(Folder, file)), file));
        Assert.Equal(Directory.GetFiles(Folder, "*.yaml").Select(Path.GetFileName).Where(f => f != "kustomization.yaml").Order(),
            resources.Order());
    }

    [Fact]
    public void Probes_OnTheManagementPort_ThatTheSettingsOpen()
    {
        var container = Container();
        var management = container["ports"]!.AsArray().Single(p => (string)p!["name"]! == "management")!;
        var url = new Uri(Settings()["Telemetry__ManagementUrl"]);

        Assert.Equal(url.Port, (long)management["containerPort"]!);
        Assert.Equal("/healthz", (string)container["livenessProbe"]!["httpGet"]!["path"]!);
        Assert.Equal("/readyz", (string)container["readinessProbe"]!["httpGet"]!["path"]!);
        foreach (var probe in new[] { "startupProbe", "livenessProbe", "readinessProbe" })
        {
            Assert.Equal("management", (string)container[probe]!["httpGet"]!["port"]!);
        }
    }

    [Fact]
    public void GracePeriod_LongerThanPreStopPlusReadinessDelayPlusDrain()
    {
        var pod = Pod();
        var preStop = (long)Container()["lifecycle"]!["preStop"]!["sleep"]!["seconds"]!;
        var delay = TimeSpan.Parse(Settings()["Shutdown__ReadinessDelay"], CultureInfo.InvariantCulture);
        var drain = TimeSpan.Parse(Settings()["Shutdown__DrainTimeout"], CultureInfo.InvariantCulture);

        Assert.True(preStop > 0);
        Assert.True(delay > TimeSpan.Zero, "readiness must go 503 before the drain behind a Service");
        Assert.True((long)pod["terminationGracePeriodSeconds"]! >= preStop + delay.TotalSeconds + drain.TotalSeconds + 5);
    }

    [Fact]
    public void NonRoot_ReadOnlyRootFileSystem_NoPrivilegeEscalation_Resources()
    {
        var pod = Pod();
        var container = Container();
        var dockerfile = File.ReadAllText(RepositoryPaths.File("Dockerfile"));

        Assert.True((bool)pod["securityContext"]!["runAsNonRoot"]!);
        Assert.Equal(1654, (long)pod["securityContext"]!["runAsUser"]!); // the runtime image's APP_UID, the Dockerfile's USER
        Assert.Contains("USER $APP_UID", dockerfile, StringComparison.Ordinal);
        Assert.True((bool)container["securityContext"]!["readOnlyRootFilesystem"]!);
        Assert.False((bool)container["securityContext"]!["allowPrivilegeEscalation"]!);
        Assert.NotNull(container["resources"]!["requests"]!["cpu"]);
        Assert.NotNull(container["resources"]!["limits"]!["memory"]);
        Assert.Contains(container["volumeMounts"]!.AsArray(), m => (string)m!["mountPath"]! == "/tmp");
    }

    [Fact]
    public void Secrets_ByReference_Settings_OnesTheGatewayReads()
    {
        var env = Container()["env"]!.AsArray();

        foreach (var secret in new[] { "Strapi__Token", "Redis__Configuration", "Access__StrapiJwt__Secret", "ResponseCache__WebhookSecret" })
        {
            var entry = env.Single(e => (string)e!["name"]! == secret)!;
            Assert.Null(entry["value"]);
            Assert.Equal("edge-gateway", (string)entry["valueFrom"]!["secretKeyRef"]!["name"]!);
        }

        Assert.All(env.Select(e => (string)e!["name"]!).Concat(Settings().Keys),
            name => Assert.True(GatewaySettings.IsKnown(GatewaySettings.FromEnvironmentName(name)), name));
    }

    [Fact]
    public void Service_Budget_Autoscaler_PointAtTheDeployment()
    {
        var deployment = Load("deployment.yaml");
        var labels = deployment["spec"]!["template"]!["metadata"]!["labels"]!.AsObject();
        var name = (string)deployment["metadata"]!["name"]!;
        var ports = Container()["ports"]!.AsArray().Select(p => (string)p!["name"]!).ToList();

        foreach (var file in new[] { "service.yaml", "service-management.yaml" })
        {
            var service = Load(file);
            Assert.All(service["spec"]!["selector"]!.AsObject(), pair => Assert.Equal((string)pair.Value!, (string)labels[pair.Key]!));
            Assert.All(service["spec"]!["ports"]!.AsArray(), port => Assert.Contains((string)port!["targetPort"]!, ports));
        }

        Assert.All(Load("poddisruptionbudget.yaml")["spec"]!["selector"]!["matchLabels"]!.AsObject(), pair => Assert.Equal((string)pair.Value!, (string)labels[pair.Key]!));
        var hpa = Load("horizontalpodautoscaler.yaml")["spec"]!;
        Assert.Equal(name, (string)hpa["scaleTargetRef"]!["name"]!);
        Assert.True((long)hpa["minReplicas"]! >= 2, "one replica cannot be drained without an outage");
        Assert.Equal("0", deployment["spec"]!["strategy"]!["rollingUpdate"]!["maxUnavailable"]!.ToString());
    }

    private static JsonNode Kustomization() => Load("kustomization.yaml");

    private static JsonNode Load(string file) => YamlJson.Load(Path.Combine(Folder, file))!;

    private static JsonNode Pod() => Load("deployment.yaml")["spec"]!["template"]!["spec"]!;

    private static JsonNode Container() => Pod()["containers"]!.AsArray().Single(c => (string)c!["name"]! == "gateway")!;

    /// <summary>The settings ConfigMap's literals (<c>KEY=value</c>).</summary>
    private static Dictionary<string, string> Settings()
        => Kustomization()["configMapGenerator"]!.AsArray().Single(g => (string)g!["name"]! == "edge-gateway-settings")!["literals"]!.AsArray()
            .Select(l => ((string)l!).Split('=', 2)).ToDictionary(pair => pair[0], pair => pair[1]);
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Telemetry;

/// <summary>
/// <c>Logging:Console:FormatterName=json</c> (ASP.NET Core's own JSON console formatter): the gateway, run as its own
/// process as an operator would, writes one JSON object per line, outage lines included; its management port shows
/// ASP.NET Core's and Kestrel's metrics beside the gateway's.
/// </summary>
public sealed partial class JsonLogsTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    [Fact]
    public async Task JsonConsole_EveryLineParses_OutageLineIsOneObject()
    {
        var absent = $"http://127.0.0.1:{FreePort.Next()}/";
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { typeof(Program).Assembly.Location, "--urls", "http://127.0.0.1:0" },
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["Logging__Console__FormatterName"] = "json",
                ["Strapi__BaseUrl"] = absent,
                ["Strapi__Token"] = GatewayHost.Token,
                ["Frontend__BaseUrl"] = absent,
                ["Redis__Configuration"] = redis.Server.Configuration,
                ["Telemetry__ManagementUrl"] = "http://127.0.0.1:0",
                ["Redirects__SeedFile"] = "",

                // The route is opened, as an operator can: this test is about the log, not access control.
                ["ReverseProxy__Routes__invoices-list__AuthorizationPolicy"] = "anonymous",
            },
        };
        var lines = new ConcurrentQueue<string>();
        using var gateway = ChildProcesses.Track(Process.Start(start)!);
        gateway.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lines.Enqueue(e.Data);
            }
        };
        gateway.BeginOutputReadLine();
        gateway.BeginErrorReadLine();
        try
        {
            var listening = await WaitForAsync(lines, line => line.Contains("Now listening on", StringComparison.Ordinal));
            var address = ListeningAddress().Match(listening).Value;
            using var client = new HttpClient { BaseAddress = new Uri(address) };
            for (var i = 0; i < 20; i++)
            {
                using var response = await client.GetAsync("/api/v2/invoices/en-us");
                Assert.Equal(System.Net.HttpStatusCode.BadGateway, response.StatusCode);
            }

            var down = await WaitForAsync(lines, line => line.Contains("Upstream strapi is down", StringComparison.Ordinal));
            var management = await WaitForAsync(lines, line => line.Contains("Management port", StringComparison.Ordinal));
            using var scraper = new HttpClient { BaseAddress = new Uri(ListeningAddress().Match(management).Value) };
            var metrics = await scraper.GetStringAsync("/metrics");
            Assert.Contains("http_server_request_duration_seconds_count", metrics, StringComparison.Ordinal); // ASP.NET Core
            Assert.Contains("kestrel_active_connections", metrics, StringComparison.Ordinal);                 // Kestrel
            Assert.Contains("gateway_upstream_failures_total", metrics, StringComparison.Ordinal);            // the gateway's meter
            Assert.Contains("aspnetcore_rate_limiting_requests_total", metrics, StringComparison.Ordinal);    // rejections stay
            // Per-request instruments that duplicate others are not listened to (TelemetryServiceCollectionExtensions.DroppedInstruments).
            Assert.DoesNotContain("aspnetcore_memory_pool_", metrics, StringComparison.Ordinal);
            Assert.DoesNotContain("aspnetcore_routing_match_attempts", metrics, StringComparison.Ordinal);
            Assert.DoesNotContain("aspnetcore_authentication_authenticate_duration", metrics, StringComparison.Ordinal);
            Assert.DoesNotContain("aspnetcore_rate_limiting_request_lease_duration", metrics, StringComparison.Ordinal);
            Assert.DoesNotContain("aspnetcore_rate_limiting_active_request_leases", metrics, StringComparison.Ordinal);
            Assert.DoesNotContain("http_client_open_connections", metrics, StringComparison.Ordinal);
            Assert.Contains("http_client_request_duration_seconds", metrics, StringComparison.Ordinal);
            using var outage = JsonDocument.Parse(down);
            Assert.Equal("Warning", outage.RootElement.GetProperty("LogLevel").GetString());
            Assert.Equal("Gateway.Upstreams", outage.RootElement.GetProperty("Category").GetString());
            Assert.Equal("strapi", outage.RootElement.GetProperty("State").GetProperty("Upstream").GetString());
        }
        finally
        {
            gateway.Kill(entireProcessTree: true);
            await gateway.WaitForExitAsync();
        }

        Assert.NotEmpty(lines);
        Assert.All(lines, line =>
        {
            using var entry = JsonDocument.Parse(line);
            Assert.True(entry.RootElement.TryGetProperty("Message", out _), line);
        });
        Assert.Single(lines, line => line.Contains("Upstream strapi is down", StringComparison.Ordinal));
    }

    private static async Task<string> WaitForAsync(ConcurrentQueue<string> lines, Func<string, bool> match)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var found = lines.FirstOrDefault(match);
            if (found is not null)
            {
                return found;
            }

            Assert.True(DateTime.UtcNow < deadline, "not logged in time:\n" + string.Join('\n', lines));
            await Task.Delay(50);
        }
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:[0-9]+")]
    private static partial Regex ListeningAddress();
}

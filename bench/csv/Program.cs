// CSV export against raw paging, through the real gateway (Release, its own process) in front of a fast stand-in
// Strapi serving N invoices in pages of 100; and the gateway's CSV writer against json-2-csv on the same records.
// Run: dotnet run -c Release --project bench/csv [-- invoices runs]   (markdown to stdout; needs redis-server, node)
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Gateway.Csv;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

var invoices = args.Length > 0 ? int.Parse(args[0]) : 100_000;
var runs = args.Length > 1 ? int.Parse(args[1]) : 5;
const int PageSize = 100;
var pageCount = (invoices + PageSize - 1) / PageSize;
var benchDir = FindUp("bench/csv");
var gatewayDir = Path.GetFullPath(Path.Combine(benchDir, "../../Gateway/bin/Release/net10.0"));

// The stand-in Strapi: every page prepared once, served as bytes.
var items = Enumerable.Range(1, invoices).Select(Invoice).ToArray();
var pages = Enumerable.Range(1, pageCount).Select(page => Encoding.UTF8.GetBytes(
    $"{{\"data\":[{string.Join(',', items.Skip((page - 1) * PageSize).Take(PageSize))}],\"meta\":{{\"pagination\":{{\"page\":{page},\"pageSize\":{PageSize},\"pageCount\":{pageCount},\"total\":{invoices}}}}}}}")).ToArray();
var empty = Encoding.UTF8.GetBytes($"{{\"data\":[],\"meta\":{{\"pagination\":{{\"page\":0,\"pageSize\":{PageSize},\"pageCount\":{pageCount},\"total\":{invoices}}}}}}}");
var upstreamPort = FreePort();
var standIn = WebApplication.CreateSlimBuilder();
standIn.WebHost.UseUrls($"http://127.0.0.1:{upstreamPort}");
standIn.Logging.ClearProviders();
await using var upstream = standIn.Build();
upstream.Run(context =>
{
    var page = int.TryParse(context.Request.Query["pagination[page]"], out var n) ? n : 1;
    var body = page >= 1 && page <= pageCount ? pages[page - 1] : empty;
    context.Response.ContentType = "application/json; charset=utf-8";
    context.Response.ContentLength = body.Length;
    return context.Response.Body.WriteAsync(body).AsTask();
});
await upstream.StartAsync();

var redisPort = FreePort();
using var redis = Process.Start(new ProcessStartInfo("redis-server", $"--port {redisPort} --bind 127.0.0.1 --save \"\" --appendonly no --loglevel warning") { RedirectStandardOutput = true })!;
try
{
    Console.WriteLine($"# CSV export benchmark: {invoices:N0} invoices, {pageCount:N0} pages of {PageSize}, {runs} runs, {Environment.ProcessorCount} cores");
    Console.WriteLine();
    var raw = new List<Sample>();
    var csv = new List<Sample>();
    for (var run = 0; run < runs; run++)
    {
        raw.Add(await MeasureAsync(FetchRawAsync));
        csv.Add(await MeasureAsync(ExportCsvAsync));
    }

    Console.WriteLine("## Through the gateway (fresh Release process per sample, one warm-up pass, then measured)");
    Console.WriteLine();
    Console.WriteLine("| | time (s) | gateway CPU (s) | gateway peak RSS during pass (MB) | bytes to client (MB) |");
    Console.WriteLine("|---|---|---|---|---|");
    Row($"raw: {pageCount:N0} JSON pages, GET one after another", raw);
    Row("CSV export, one GET", csv);
    Console.WriteLine();
    Console.WriteLine($"Ratios (CSV / raw, medians): time {Median(csv, s => s.Seconds) / Median(raw, s => s.Seconds):F2}, " +
        $"CPU {Median(csv, s => s.CpuSeconds) / Median(raw, s => s.CpuSeconds):F2}, peak RSS {Median(csv, s => s.PeakMb) / Median(raw, s => s.PeakMb):F2}; " +
        $"CSV rows/s end to end {invoices / Median(csv, s => s.Seconds):N0}");
    Console.WriteLine();

    // Writer alone, in process: the gateway's (JSON page bytes → CSV bytes) against json-2-csv, on parsed objects and end
    // to end (page bytes → JSON.parse → json2csv → Buffer.from).
    var ours = new List<double>();
    var oursWriteOnly = new List<double>();
    long ourBytes = 0;
    for (var run = 0; run <= runs; run++)
    {
        var (seconds, bytes) = await OurWriterAsync(parse: true);
        var (writeOnly, _) = await OurWriterAsync(parse: false);
        if (run > 0)
        {
            ours.Add(seconds);
            oursWriteOnly.Add(writeOnly);
            ourBytes = bytes;
        }
    }

    var records = Path.Combine(Path.GetTempPath(), $"csv-bench-{Environment.ProcessId}.json");
    var pagesFile = Path.Combine(Path.GetTempPath(), $"csv-bench-{Environment.ProcessId}.pages.jsonl");
    await File.WriteAllTextAsync(records, "[" + string.Join(',', items) + "]");
    await File.WriteAllBytesAsync(pagesFile, [.. pages.SelectMany((page, i) => i == 0 ? page : [(byte)'\n', .. page])]);
    JsonElement node;
    try
    {
        var psi = new ProcessStartInfo("node", $"json2csv-bench.mjs \"{records}\" {runs} \"{pagesFile}\"") { WorkingDirectory = benchDir, RedirectStandardOutput = true };
        using var process = Process.Start(psi)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        try
        {
            node = JsonDocument.Parse(output).RootElement.Clone();
        }
        catch (JsonException) when (process.ExitCode != 0 || output.Length == 0 || output[0] != '{')
        {
            // The baseline could not run (json-2-csv not installed: `npm ci` in bench/csv, which bench/run does).
            await Console.Error.WriteLineAsync($"bench/csv: the json-2-csv baseline failed (node exited {process.ExitCode}); " +
                "run `npm ci` in bench/csv (bench/run does) and see node's message above.");
            return 2;
        }
    }
    finally
    {
        File.Delete(records);
        File.Delete(pagesFile);
    }

    var theirs = node.GetProperty("ms").EnumerateArray().Select(ms => ms.GetDouble() / 1000).ToList();
    var theirsEndToEnd = node.GetProperty("e2eMs").EnumerateArray().Select(ms => ms.GetDouble() / 1000).ToList();
    var nodeVersion = Environment.GetEnvironmentVariable("NODE_VERSION") ?? "v" + NodeVersion();
    Console.WriteLine($"## Writer alone, {invoices:N0} records, median of {runs}");
    Console.WriteLine();
    Console.WriteLine("| writer | time (s) | rows/s | output (MB) |");
    Console.WriteLine("|---|---|---|---|");
    Console.WriteLine($"| gateway CsvRowWriter, JSON page bytes parsed + written | {ours.Median():F3} | {invoices / ours.Median():N0} | {ourBytes / 1e6:F1} |");
    Console.WriteLine($"| gateway CsvRowWriter, pre-parsed pages, writing only | {oursWriteOnly.Median():F3} | {invoices / oursWriteOnly.Median():N0} | {ourBytes / 1e6:F1} |");
    Console.WriteLine($"| json-2-csv {{ expandNestedObjects: true }}, parsed objects (node {nodeVersion}) | {theirs.Median():F3} | {invoices / theirs.Median():N0} | {node.GetProperty("bytes").GetInt64() / 1e6:F1} |");
    Console.WriteLine($"| json-2-csv end to end: page bytes → JSON.parse → json2csv → Buffer.from(csv, 'utf8') (node {nodeVersion}) | {theirsEndToEnd.Median():F3} | {invoices / theirsEndToEnd.Median():N0} | {node.GetProperty("e2eBytes").GetInt64() / 1e6:F1} |");
    Console.WriteLine();
    Console.WriteLine($"Ratio rows/s, gateway (page bytes → CSV bytes) / json-2-csv end to end (page bytes → CSV bytes): {theirsEndToEnd.Median() / ours.Median():F1}x");
    Console.WriteLine($"Ratio rows/s, gateway (page bytes → CSV bytes) / json-2-csv on parsed objects: {theirs.Median() / ours.Median():F1}x; " +
        $"gateway writing only / json-2-csv on parsed objects: {theirs.Median() / oursWriteOnly.Median():F1}x");
}
finally
{
    redis.Kill();
    await redis.WaitForExitAsync();
    await upstream.StopAsync();
}

return 0;

async Task<Sample> MeasureAsync(Func<HttpClient, Task<long>> pass)
{
    var port = FreePort();
    var psi = new ProcessStartInfo("dotnet", "Gateway.dll") { WorkingDirectory = gatewayDir, RedirectStandardOutput = true, RedirectStandardError = true };
    psi.Environment["Urls"] = $"http://127.0.0.1:{port}";
    psi.Environment["Strapi__BaseUrl"] = $"http://127.0.0.1:{upstreamPort}/";
    psi.Environment["Strapi__Token"] = "bench-token";
    psi.Environment["Frontend__BaseUrl"] = $"http://127.0.0.1:{upstreamPort}/";
    psi.Environment["Redis__Configuration"] = $"127.0.0.1:{redisPort}";
    psi.Environment["Redirects__SeedFile"] = "";
    psi.Environment["Logging__LogLevel__Default"] = "Warning";
    psi.Environment["Telemetry__ManagementUrl"] = "http://127.0.0.1:0"; // no fixed management port beside other gateways
    psi.Environment["ReverseProxy__Routes__invoices-list__AuthorizationPolicy"] = "anonymous"; // routes need a signed-in caller since access control
    psi.Environment["ReverseProxy__Routes__invoices-csv__AuthorizationPolicy"] = "anonymous";
    using var gateway = Process.Start(psi)!;
    _ = gateway.StandardOutput.ReadToEndAsync();
    _ = gateway.StandardError.ReadToEndAsync();
    try
    {
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromMinutes(5) };
        for (var deadline = DateTime.UtcNow.AddSeconds(30); ; await Task.Delay(100))
        {
            try
            {
                using var health = await client.GetAsync("healthz");
                if (health.IsSuccessStatusCode)
                {
                    break;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }
        }

        await pass(client); // warm-up: JIT, connection pools
        File.WriteAllText($"/proc/{gateway.Id}/clear_refs", "5"); // resets the peak RSS (VmHWM)
        var cpu = CpuSeconds(gateway.Id);
        var clock = Stopwatch.StartNew();
        var bytes = await pass(client);
        var seconds = clock.Elapsed.TotalSeconds;
        return new Sample(seconds, CpuSeconds(gateway.Id) - cpu, PeakMb(gateway.Id), bytes);
    }
    finally
    {
        gateway.Kill();
        await gateway.WaitForExitAsync();
    }
}

async Task<long> FetchRawAsync(HttpClient client)
{
    long bytes = 0;
    for (var page = 1; page <= pageCount; page++)
    {
        using var response = await client.GetAsync($"api/v2/invoices/en-us?pagination[page]={page}&pagination[pageSize]={PageSize}", HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        bytes += await CountAsync(await response.Content.ReadAsStreamAsync(), out _);
    }

    return bytes;
}

async Task<long> ExportCsvAsync(HttpClient client)
{
    using var response = await client.GetAsync("api/v2/invoices/en-us/csv", HttpCompletionOption.ResponseHeadersRead);
    response.EnsureSuccessStatusCode();
    var bytes = await CountAsync(await response.Content.ReadAsStreamAsync(), out var count);
    if (count() != invoices + 1)
    {
        throw new InvalidOperationException($"The export had {count()} lines, not {invoices + 1}.");
    }

    return bytes;
}

static Task<long> CountAsync(Stream body, out Func<long> lineFeeds)
{
    var counter = new long[1];
    lineFeeds = () => counter[0];
    return CountCoreAsync(body, counter);
}

static async Task<long> CountCoreAsync(Stream body, long[] lineFeeds)
{
    await using var _ = body;
    var buffer = new byte[64 * 1024];
    long total = 0;
    int read;
    while ((read = await body.ReadAsync(buffer)) > 0)
    {
        total += read;
        lineFeeds[0] += buffer.AsSpan(0, read).Count((byte)'\n');
    }

    return total;
}

async Task<(double Seconds, long Bytes)> OurWriterAsync(bool parse)
{
    var parsed = parse ? null : pages.Select(page => JsonDocument.Parse(page)).ToArray();
    try
    {
        using var sink = new CountingStream();
        var clock = Stopwatch.StartNew();
        using var writer = new CsvRowWriter(CsvExport.Invoices.Columns);
        writer.WriteHeader();
        for (var i = 0; i < pages.Length; i++)
        {
            if (parse)
            {
                using var page = await StrapiPage.ReadAsync(new MemoryStream(pages[i], writable: false), CancellationToken.None);
                writer.WriteRows(page.Data);
            }
            else
            {
                writer.WriteRows(parsed![i].RootElement.GetProperty("data"));
            }

            await writer.CopyToAsync(sink, CancellationToken.None);
        }

        return (clock.Elapsed.TotalSeconds, sink.Length);
    }
    finally
    {
        foreach (var document in parsed ?? [])
        {
            document.Dispose();
        }
    }
}

static string Invoice(int id)
{
    var customer = id % 10 == 0 ? "null"
        : $"{{\"id\":{id % 500 + 1},\"documentId\":\"cus{id % 500 + 1:D21}\",\"name\":\"{(id % 7 == 0 ? "Dupont, \\\"Jean\\\"" : "Customer " + (id % 500 + 1))}\",\"email\":\"c{id % 500 + 1}@example.com\"}}";
    return $"{{\"id\":{id},\"documentId\":\"inv{id:D21}\",\"date\":\"2024-{id % 12 + 1:00}-{id % 28 + 1:00}\",\"amount\":{id * 37 % 100000},\"invoice_status\":\"{(id % 3 == 0 ? "paid" : "pending")}\"," +
        $"\"createdAt\":\"2025-01-01T00:00:00.000Z\",\"updatedAt\":\"2025-01-02T00:00:00.000Z\",\"publishedAt\":\"2025-01-02T00:00:00.000Z\",\"customer\":{customer}}}";
}

static double CpuSeconds(int pid)
{
    var fields = File.ReadAllText($"/proc/{pid}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
    return (long.Parse(fields[11]) + long.Parse(fields[12])) / 100.0; // utime + stime, in clock ticks of 1/100 s
}

static double PeakMb(int pid)
{
    var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
}

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

static string FindUp(string relative)
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (Directory.Exists(Path.Combine(dir.FullName, relative)))
        {
            return Path.Combine(dir.FullName, relative);
        }
    }

    throw new DirectoryNotFoundException(relative);
}

static string NodeVersion()
{
    using var process = Process.Start(new ProcessStartInfo("node", "--version") { RedirectStandardOutput = true })!;
    var version = process.StandardOutput.ReadToEnd().Trim();
    process.WaitForExit();
    return version.TrimStart('v');
}

void Row(string name, List<Sample> samples)
    => Console.WriteLine($"| {name} | {Median(samples, s => s.Seconds):F3} | {Median(samples, s => s.CpuSeconds):F2} | {Median(samples, s => s.PeakMb):F0} | {Median(samples, s => s.Bytes) / 1e6:F1} |");

static double Median(List<Sample> samples, Func<Sample, double> of) => samples.Select(of).ToList().Median();

internal sealed record Sample(double Seconds, double CpuSeconds, double PeakMb, double Bytes);

internal static class Stats
{
    public static double Median(this List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}

internal sealed class CountingStream : Stream
{
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => Position;
    public override long Position { get; set; }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => Position += count;
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Position += buffer.Length;
        return ValueTask.CompletedTask;
    }
}

// Compression benchmark (issue 25): the levels (bytes against CPU), cache hits with and without compression, answers
// compressed on every request (cache off), and the 100,000-row CSV export with gzip, Brotli and without; through the
// real gateway (Release build output, its own processes) in front of a fast stand-in Strapi, with a redis-server.
// Run: dotnet build gateway.sln -c Release && dotnet run -c Release --project bench/compression [-- runs seconds connections rows]
// Markdown to stdout; needs redis-server, wrk, curl on PATH. Every process it starts is stopped by its PID.
using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

var runs = args.Length > 0 ? int.Parse(args[0]) : 3;
var seconds = args.Length > 1 ? int.Parse(args[1]) : 5;
var connections = args.Length > 2 ? int.Parse(args[2]) : 32;
var rows = args.Length > 3 ? int.Parse(args[3]) : 100_000;
const int PageSize = 100;
var gatewayDir = Path.GetFullPath(Path.Combine(FindUp("bench/compression"), "../../Gateway/bin/Release/net10.0"));
if (!File.Exists(Path.Combine(gatewayDir, "Gateway.dll")))
{
    await Console.Error.WriteLineAsync($"bench/compression: build first (dotnet build gateway.sln -c Release); no {gatewayDir}/Gateway.dll");
    return 2;
}

var invoices = Invoices.Make(rows);
var pages = Enumerable.Range(1, (rows + PageSize - 1) / PageSize).Select(page => Invoices.Page(invoices, page, PageSize)).ToArray();
var upstreamPort = FreePort();
var standIn = WebApplication.CreateSlimBuilder();
standIn.WebHost.UseUrls($"http://127.0.0.1:{upstreamPort}");
standIn.Logging.ClearProviders();
await using var upstream = standIn.Build();
upstream.Run(context =>
{
    var page = int.TryParse(context.Request.Query["pagination[page]"], out var n) ? n : 1;
    var body = page >= 1 && page <= pages.Length ? pages[page - 1] : Invoices.Page(invoices, page, PageSize);
    context.Response.ContentType = "application/json; charset=utf-8";
    context.Response.ContentLength = body.Length;
    return context.Response.Body.WriteAsync(body).AsTask();
});
await upstream.StartAsync();

var redisPort = FreePort();
var started = new List<Process>();
started.Add(Process.Start(new ProcessStartInfo("redis-server", $"--port {redisPort} --bind 127.0.0.1 --save \"\" --appendonly no --loglevel warning") { RedirectStandardOutput = true })!);
try
{
    const string List = "/api/v2/invoices/en-us?pagination[pageSize]=100&sort=id:asc";
    const string Csv = "/api/v2/invoices/en-us/csv";
    var cached = await StartGatewayAsync(("ResponseCache__Enabled", "true"));
    var cachedOff = await StartGatewayAsync(("ResponseCache__Enabled", "true"), ("Compression__Enabled", "false"));
    var proxied = await StartGatewayAsync(("ResponseCache__Enabled", "false"));
    using var http = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None }) { Timeout = TimeSpan.FromMinutes(5) };

    var page = await http.GetByteArrayAsync($"http://127.0.0.1:{cachedOff.Port}{List}");
    var csv = await http.GetByteArrayAsync($"http://127.0.0.1:{cachedOff.Port}{Csv}");
    Console.WriteLine($"# Compression benchmark: a 100-invoice page ({page.Length:N0} bytes), the CSV export of {rows:N0} invoices ({csv.Length / 1e6:F1} MB)");
    Console.WriteLine();
    Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}; load average at start {File.ReadAllText("/proc/loadavg").Split(' ')[0]}. " +
        "Invoices as the seeded Strapi holds them (random document ids, the tutorial's customers, spread amounts, dates and timestamps).");
    Console.WriteLine();

    // --- A. levels, in this process -----------------------------------------------------------------------------------
    Console.WriteLine("## A. Levels: bytes against CPU (in process, one thread, median of 5)");
    Console.WriteLine();
    Console.WriteLine("The page compressed in one piece (as a cache miss is, once, then kept); the CSV in pieces of one Strapi page of rows,");
    Console.WriteLine("flushed after each (as the export streams). CPU is this process's CPU time per operation.");
    Console.WriteLine();
    Console.WriteLine("| coding, level | page: bytes | page: ratio | page: CPU (µs) | CSV: MB | CSV: ratio | CSV: CPU (s) | CSV: MB/s in |");
    Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
    var csvChunk = csv.Length / pages.Length + 1;
    foreach (var (name, level, make) in Codings())
    {
        var (pageBytes, pageCpu) = Compress(page, page.Length, make, iterations: level == "11" ? 5 : 200);
        var (csvBytes, csvCpu) = level == "11" ? (0L, 0.0) : Compress(csv, csvChunk, make, iterations: 1);
        Console.WriteLine(level == "11"
            ? $"| {name} {level} | {pageBytes:N0} | {(double)page.Length / pageBytes:F1} | {pageCpu * 1e6:F0} | – | – | – | – |"
            : $"| {name} {level} | {pageBytes:N0} | {(double)page.Length / pageBytes:F1} | {pageCpu * 1e6:F0} | {csvBytes / 1e6:F2} | {(double)csv.Length / csvBytes:F1} | {csvCpu:F2} | {csv.Length / 1e6 / csvCpu:F0} |");
    }

    Console.WriteLine();

    // --- B. hits and misses through the gateway ------------------------------------------------------------------------
    var cells = new (string Name, Gateway Gateway, string? Accept)[]
    {
        ("hit, compression off (as before this change)", cachedOff, null),
        ("hit, identity (no Accept-Encoding)", cached, null),
        ("hit, br (stored compressed)", cached, "br"),
        ("hit, gzip (stored compressed)", cached, "gzip"),
        ("cache off: proxied, identity", proxied, null),
        ("cache off: proxied, br (compressed on every request)", proxied, "br"),
        ("cache off: proxied, gzip (compressed on every request)", proxied, "gzip"),
    };
    var samples = cells.ToDictionary(cell => cell.Name, _ => new List<(double Rps, double CpuUs, double P50)>());
    foreach (var cell in cells)
    {
        await Wrk(cell.Gateway, List, cell.Accept, 2); // warm-up: JIT, the entry in the cache
    }

    // Right after the warm-up, while every entry is fresh.
    var table = new System.Text.StringBuilder();
    var keys = (await RunAsync("redis-cli", $"-p {redisPort} --scan --pattern __MSOCV_*")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
    table.AppendLine($"Redis memory per cached entry of this page (`MEMORY USAGE` right after the warm-up, {keys.Length} output-cache keys; the entry holds the headers and the body as sent):");
    table.AppendLine();
    table.AppendLine("| entry | Redis bytes |");
    table.AppendLine("|---|---:|");
    foreach (var key in keys.Where(key => key.Contains("invoices/en-us", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
    {
        var coding = Regex.Match(key, "coding=(\\w+)").Groups[1].Value;
        var usage = (await RunAsync("redis-cli", $"-p {redisPort} MEMORY USAGE \"{key}\"")).Trim();
        table.AppendLine($"| {(coding.Length > 0 ? coding : "compression off (no coding in the key)")} | {usage} |");
    }

    var redisTable = table.ToString();

    for (var run = 0; run < runs; run++)
    {
        foreach (var cell in cells)
        {
            samples[cell.Name].Add(await Wrk(cell.Gateway, List, cell.Accept, seconds));
        }
    }

    Console.WriteLine($"## B. The page through the gateway: `wrk -t2 -c{connections} -d{seconds}s`, median of {runs} runs, runs interleaved");
    Console.WriteLine();
    Console.WriteLine("| answer | bytes on the wire (body) | req/s | gateway CPU per request (µs) | CPU ratio to the identity hit | p50 (ms) |");
    Console.WriteLine("|---|---:|---:|---:|---:|---:|");
    var identityHit = Median(samples[cells[1].Name].Select(s => s.CpuUs));
    foreach (var cell in cells)
    {
        var cpu = Median(samples[cell.Name].Select(s => s.CpuUs));
        Console.WriteLine($"| {cell.Name} | {await BodyBytesAsync(cell.Gateway, List, cell.Accept, hit: cell.Gateway != proxied):N0} | {Median(samples[cell.Name].Select(s => s.Rps)):F0} | {cpu:F1} | {cpu / identityHit:F2} | {Median(samples[cell.Name].Select(s => s.P50)):F2} |");
    }

    Console.WriteLine();
    Console.WriteLine(redisTable);

    // --- C. the CSV export -------------------------------------------------------------------------------------------------
    var exports = new (string Name, string? Accept)[] { ("identity", null), ("gzip", "gzip"), ("br", "br") };
    var csvSamples = exports.ToDictionary(e => e.Name, _ => new List<(double Seconds, double Cpu, double PeakMb, long Bytes)>());
    await ExportAsync(cached, null); // warm-up
    for (var run = 0; run < runs; run++)
    {
        foreach (var export in exports)
        {
            csvSamples[export.Name].Add(await ExportAsync(cached, export.Accept));
        }
    }

    Console.WriteLine($"## C. The CSV export of {rows:N0} invoices, one GET, median of {runs} runs, runs interleaved");
    Console.WriteLine();
    Console.WriteLine("| Accept-Encoding | bytes on the wire (MB) | time (s) | rows/s | gateway CPU (s) | gateway peak RSS during the export (MB) |");
    Console.WriteLine("|---|---:|---:|---:|---:|---:|");
    foreach (var export in exports)
    {
        var s = csvSamples[export.Name];
        var time = Median(s.Select(x => x.Seconds));
        Console.WriteLine($"| {export.Accept ?? "none"} | {s[0].Bytes / 1e6:F2} | {time:F2} | {rows / time:N0} | {Median(s.Select(x => x.Cpu)):F2} | {Median(s.Select(x => x.PeakMb)):F0} |");
    }
}
finally
{
    foreach (var process in started)
    {
        process.Kill();
        await process.WaitForExitAsync();
    }

    await upstream.StopAsync();
}

return 0;

IEnumerable<(string Name, string Level, Func<Stream, Stream> Make)> Codings()
{
    foreach (var level in new[] { 1, 3, 4, 5, 6, 9 })
    {
        yield return ("gzip", level.ToString(), s => new GZipStream(s, new ZLibCompressionOptions { CompressionLevel = level }, leaveOpen: true));
    }

    foreach (var quality in new[] { 1, 2, 3, 4, 5, 6, 11 })
    {
        yield return ("br", quality.ToString(), s => new BrotliStream(s, new BrotliCompressionOptions { Quality = quality }, leaveOpen: true));
    }
}

static (long Bytes, double CpuSeconds) Compress(byte[] input, int chunk, Func<Stream, Stream> make, int iterations)
{
    var cpu = new List<double>();
    long bytes = 0;
    for (var sample = 0; sample < 6; sample++)
    {
        var before = Process.GetCurrentProcess().TotalProcessorTime;
        for (var i = 0; i < iterations; i++)
        {
            using var output = new MemoryStream();
            using (var compressor = make(output))
            {
                for (var at = 0; at < input.Length; at += chunk)
                {
                    compressor.Write(input, at, Math.Min(chunk, input.Length - at));
                    compressor.Flush();
                }
            }

            bytes = output.Length;
        }

        if (sample > 0)
        {
            cpu.Add((Process.GetCurrentProcess().TotalProcessorTime - before).TotalSeconds / iterations);
        }
    }

    return (bytes, Median(cpu));
}

async Task<(double Rps, double CpuUs, double P50)> Wrk(Gateway gateway, string path, string? accept, int duration)
{
    var header = accept is null ? "" : $"-H 'Accept-Encoding: {accept}' ";
    var cpu = CpuSeconds(gateway.Process.Id);
    var output = await RunAsync("bash", $"-c \"wrk -t2 -c{connections} -d{duration}s --latency {header}'http://127.0.0.1:{gateway.Port}{path}'\"");
    var used = CpuSeconds(gateway.Process.Id) - cpu;
    if (output.Contains("Non-2xx", StringComparison.Ordinal))
    {
        throw new InvalidOperationException("errors from the gateway:\n" + output);
    }

    var requests = double.Parse(Regex.Match(output, @"(\d+) requests in").Groups[1].Value);
    var rps = double.Parse(Regex.Match(output, @"Requests/sec:\s+([\d.]+)").Groups[1].Value);
    var p50 = Regex.Match(output, @"50%\s+([\d.]+)(us|ms|s)");
    var p50Ms = double.Parse(p50.Groups[1].Value) * (p50.Groups[2].Value switch { "us" => 0.001, "s" => 1000, _ => 1 });
    return (rps, used / requests * 1e6, p50Ms);
}

async Task<long> BodyBytesAsync(Gateway gateway, string path, string? accept, bool hit)
{
    using var client = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None });
    using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{gateway.Port}{path}");
    if (accept is not null)
    {
        request.Headers.TryAddWithoutValidation("Accept-Encoding", accept);
    }

    using var response = await client.SendAsync(request);
    var encoding = response.Content.Headers.ContentEncoding.SingleOrDefault();
    var status = response.Headers.TryGetValues("Cache-Status", out var values) ? string.Join(",", values) : "";
    if (!response.IsSuccessStatusCode || encoding != accept || status.EndsWith("hit", StringComparison.Ordinal) != hit)
    {
        throw new InvalidOperationException($"{(int)response.StatusCode}, Content-Encoding {encoding} for {accept ?? "none"}, Cache-Status {status}");
    }

    return (await response.Content.ReadAsByteArrayAsync()).LongLength;
}

async Task<(double Seconds, double Cpu, double PeakMb, long Bytes)> ExportAsync(Gateway gateway, string? accept)
{
    using var client = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None }) { Timeout = TimeSpan.FromMinutes(5) };
    using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{gateway.Port}/api/v2/invoices/en-us/csv");
    if (accept is not null)
    {
        request.Headers.TryAddWithoutValidation("Accept-Encoding", accept);
    }

    File.WriteAllText($"/proc/{gateway.Process.Id}/clear_refs", "5"); // resets the peak RSS (VmHWM)
    var cpu = CpuSeconds(gateway.Process.Id);
    var clock = Stopwatch.StartNew();
    using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    response.EnsureSuccessStatusCode();
    var counted = new CountingStream(await response.Content.ReadAsStreamAsync());
    await using var decoded = response.Content.Headers.ContentEncoding.SingleOrDefault() switch
    {
        "gzip" => new GZipStream(counted, CompressionMode.Decompress),
        "br" => (Stream)new BrotliStream(counted, CompressionMode.Decompress),
        null when accept is null => counted,
        var other => throw new InvalidOperationException($"Content-Encoding {other} for {accept}"),
    };
    var buffer = new byte[64 * 1024];
    long lines = 0;
    int read;
    while ((read = await decoded.ReadAsync(buffer)) > 0)
    {
        lines += buffer.AsSpan(0, read).Count((byte)'\n');
    }

    var elapsed = clock.Elapsed.TotalSeconds;
    if (lines != rows + 1)
    {
        throw new InvalidOperationException($"The export had {lines} lines, not {rows + 1}.");
    }

    return (elapsed, CpuSeconds(gateway.Process.Id) - cpu, PeakMb(gateway.Process.Id), counted.Count);
}

async Task<Gateway> StartGatewayAsync(params (string Name, string Value)[] settings)
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
    psi.Environment["Telemetry__ManagementUrl"] = "http://127.0.0.1:0";
    psi.Environment["Access__RateLimits__StrapiReadsPerClient"] = "10000000";
    psi.Environment["ReverseProxy__Routes__invoices-list__AuthorizationPolicy"] = "anonymous";
    psi.Environment["ReverseProxy__Routes__invoices-csv__AuthorizationPolicy"] = "anonymous";
    foreach (var (name, value) in settings)
    {
        psi.Environment[name] = value;
    }

    var process = Process.Start(psi)!;
    started.Add(process);
    _ = process.StandardOutput.ReadToEndAsync();
    _ = process.StandardError.ReadToEndAsync();
    using var client = new HttpClient();
    for (var deadline = DateTime.UtcNow.AddSeconds(60); ; await Task.Delay(200))
    {
        try
        {
            using var health = await client.GetAsync($"http://127.0.0.1:{port}/healthz");
            if (health.IsSuccessStatusCode)
            {
                return new Gateway(process, port);
            }
        }
        catch (HttpRequestException) when (DateTime.UtcNow < deadline)
        {
        }
    }
}

static async Task<string> RunAsync(string file, string arguments)
{
    using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true })!;
    var output = await process.StandardOutput.ReadToEndAsync();
    await process.WaitForExitAsync();
    return output;
}

static double CpuSeconds(int pid)
{
    var fields = File.ReadAllText($"/proc/{pid}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
    return (long.Parse(fields[11]) + long.Parse(fields[12])) / 100.0; // utime + stime, in clock ticks of 1/100 s
}

static double PeakMb(int pid)
    => long.Parse(File.ReadAllLines($"/proc/{pid}/status").First(line => line.StartsWith("VmHWM:")).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}

static int FreePort()
{
    using var socket = new TcpListener(IPAddress.Loopback, 0);
    socket.Start();
    return ((IPEndPoint)socket.LocalEndpoint).Port;
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

internal sealed record Gateway(Process Process, int Port);

internal sealed class CountingStream(Stream inner) : Stream
{
    public long Count { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Counted(inner.Read(buffer, offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        => Counted(await inner.ReadAsync(buffer, cancellationToken));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int Counted(int read)
    {
        Count += read;
        return read;
    }
}

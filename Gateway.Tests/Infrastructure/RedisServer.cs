using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// A real <c>redis-server</c> (Debian's package) on a free loopback port, without persistence. It can be stopped
/// and started again on the same port, for tests of what the gateway does while Redis is away.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly IReadOnlyList<string> _extraArguments;
    private readonly string? _configFile;
    private Process? _process;

    /// <summary>
    /// The server's own working directory: a replica writes the primary's snapshot to dump.rdb there even without
    /// persistence, which another server started in the same directory would load.
    /// </summary>
    private readonly string _directory = Directory.CreateTempSubdirectory("redis-").FullName;

    private RedisServer(int port, IReadOnlyList<string> extraArguments, string? configFile)
    {
        Port = port;
        _extraArguments = extraArguments;
        _configFile = configFile;
    }

    public int Port { get; }

    /// <summary>A StackExchange.Redis configuration string for this server.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    public static Task<RedisServer> StartAsync() => StartAsync([]);

    /// <summary>
    /// A server with more options (<c>--replicaof 127.0.0.1 6379</c>, <c>--sentinel</c>), and a configuration file read
    /// first when given (Sentinel needs one it can rewrite).
    /// </summary>
    public static async Task<RedisServer> StartAsync(IReadOnlyList<string> extraArguments, string? configFile = null)
    {
        // A free port can be taken by another process (another test's server, an outgoing connection) between the
        // probe and redis-server's bind; redis-server then exits at once. Such a start is tried again on a new port.
        for (var attempt = 1; ; attempt++)
        {
            var server = new RedisServer(FreePort.Next(), extraArguments, configFile);
            try
            {
                await server.StartAgainAsync();
                return server;
            }
            catch (PortTakenException) when (attempt < 5)
            {
                await server.DisposeAsync();
            }
        }
    }

    public async Task StartAgainAsync()
    {
        if (_process is { HasExited: false })
        {
            return;
        }

        var start = new ProcessStartInfo("redis-server")
        {
            ArgumentList =
            {
                "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--bind", "127.0.0.1",
                "--save", "",
                "--appendonly", "no",
                "--daemonize", "no",
                "--loglevel", "warning",
                "--dir", _directory,
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (_configFile is not null)
        {
            start.ArgumentList.Insert(0, _configFile);
        }

        foreach (var argument in _extraArguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            _process = ChildProcesses.Track(Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start."));
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("redis-server is not installed: run ./test (it installs it) or apt-get install redis-server.", e);
        }

        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await PingAsync())
        {
            if (_process.HasExited)
            {
                throw new PortTakenException($"redis-server exited at start on port {Port} (the port was probably taken).");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"redis-server did not answer PING on port {Port}.");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Kills the server, as a crash or a network cut would look to its clients.</summary>
    public async Task StopAsync()
    {
        if (_process is null)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _process = null;
    }

    /// <summary>Freezes the server (SIGSTOP): connections stay open and nothing answers, as a hung Redis looks.</summary>
    public Task PauseAsync() => SignalAsync("-STOP");

    /// <summary>Lets a paused server run again (SIGCONT).</summary>
    public Task ResumeAsync() => SignalAsync("-CONT");

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task SignalAsync(string signal)
    {
        var pid = (_process ?? throw new InvalidOperationException("redis-server is not running.")).Id;
        using var kill = Process.Start(new ProcessStartInfo("kill", [signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })
            ?? throw new InvalidOperationException("kill did not start.");
        await kill.WaitForExitAsync();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill {signal} {pid} failed.");
        }
    }

    private async Task<bool> PingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", Port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }
}

/// <summary>redis-server exited during start-up, which on a free loopback port means the port was taken meanwhile.</summary>
public sealed class PortTakenException(string message) : InvalidOperationException(message);

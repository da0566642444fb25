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
    private Process? _process;

    private RedisServer(int port) => Port = port;

    public int Port { get; }

    /// <summary>A StackExchange.Redis configuration string for this server.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync()
    {
        // A free port can be taken by another process (another test's server, an outgoing connection) between the
        // probe and redis-server's bind; redis-server then exits at once. Such a start is tried again on a new port.
        for (var attempt = 1; ; attempt++)
        {
            var server = new RedisServer(FreePort.Next());
            try
            {
                await server.StartAgainAsync();
                return server;
            }
            catch (PortTakenException) when (attempt < 5)
            {
                await server.StopAsync();
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
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
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
        await ResumeAsync();
        await StopAsync();
    }

    private async Task SignalAsync(string signal)
    {
        if (_process is not { HasExited: false } process)
        {
            return;
        }

        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false })!;
        await kill.WaitForExitAsync();
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

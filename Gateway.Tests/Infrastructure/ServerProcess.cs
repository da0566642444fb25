using System.Collections.Concurrent;
using System.Diagnostics;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// A server process a fixture starts (Strapi's node, the OpenID Connect provider's node): tracked so it dies with the
/// test process, its last output lines kept for the error message when it fails to start.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private ServerProcess(Process process) => _process = process;

    public static ServerProcess Start(ProcessStartInfo start)
    {
        ArgumentNullException.ThrowIfNull(start);

        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        var server = new ServerProcess(ChildProcesses.Track(Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start.")));
        server._process.OutputDataReceived += (_, e) => server.Keep(e.Data);
        server._process.ErrorDataReceived += (_, e) => server.Keep(e.Data);
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        return server;
    }

    /// <summary>Polls <paramref name="ready"/> (with a client of <paramref name="baseUrl"/>) until it says yes; throws with the output when the process exits or time runs out.</summary>
    public async Task WaitUntilAsync(Uri baseUrl, Func<HttpClient, Task<bool>> ready, TimeSpan timeout, string name)
    {
        ArgumentNullException.ThrowIfNull(ready);

        using var http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{name} exited during start-up:\n{string.Join('\n', _output)}");
            }

            try
            {
                if (await ready(http))
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{name} did not become ready within {timeout}:\n{string.Join('\n', _output)}");
    }

    /// <summary>Sends <paramref name="signal"/> (<c>-TERM</c>, as a container engine or Kubernetes does on a stop) to the process.</summary>
    public async Task SignalAsync(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", [signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })
            ?? throw new InvalidOperationException("kill did not start.");
        await kill.WaitForExitAsync();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill {signal} {_process.Id} failed.");
        }
    }

    /// <summary>Waits for the process to end by itself; its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    /// <summary>The last lines the process wrote (for a failure message).</summary>
    public string Output => string.Join('\n', _output);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > 200 && _output.TryDequeue(out _))
        {
        }
    }
}

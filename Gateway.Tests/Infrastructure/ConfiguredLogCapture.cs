using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// The lines an operator's console would show: unlike <see cref="LogCapture"/>, the gateway's own <c>Logging</c> levels
/// (appsettings.json) apply to this provider.
/// </summary>
public sealed class ConfiguredLogCapture : ILoggerProvider
{
    private readonly LogCapture _inner = new();

    public ConcurrentQueue<string> Lines => _inner.Lines;

    public ILogger CreateLogger(string categoryName) => _inner.CreateLogger(categoryName);

    public void Dispose() => _inner.Dispose();
}

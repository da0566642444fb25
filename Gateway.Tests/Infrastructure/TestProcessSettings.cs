using System.Runtime.CompilerServices;

namespace Gateway.Tests.Infrastructure;

internal static class TestProcessSettings
{
    /// <summary>
    /// Dozens of gateways run in this one process: none of them needs appsettings.json reloaded on change, and each
    /// watcher would hold one of the machine's few inotify instances (128 per user by default).
    /// </summary>
    [ModuleInitializer]
    internal static void Initialize() => Environment.SetEnvironmentVariable("DOTNET_hostBuilder__reloadConfigOnChange", "false");
}

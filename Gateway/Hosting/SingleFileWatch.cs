using Microsoft.Extensions.FileProviders;

namespace Gateway.Hosting;

/// <summary>
/// A file provider for watching one file. On Linux a plain <see cref="PhysicalFileProvider"/> watches its whole
/// directory tree with inotify (for yarp.json at the repository root that includes strapi/node_modules, thousands of
/// folders); this one polls just the files it is asked to watch (every few seconds), at no cost to inotify limits.
/// </summary>
internal static class SingleFileWatch
{
    public static PhysicalFileProvider ProviderFor(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);

        return new PhysicalFileProvider(Path.GetDirectoryName(Path.GetFullPath(path))!)
        {
            UsePollingFileWatcher = true,
            UseActivePolling = true,
        };
    }
}

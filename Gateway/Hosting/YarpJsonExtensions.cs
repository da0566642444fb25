using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;

namespace Gateway.Hosting;

/// <summary>Loads <c>yarp.json</c>, the gateway's route map, into configuration with reload on change.</summary>
internal static class YarpJsonExtensions
{
    public const string FileName = "yarp.json";

    /// <summary>Configuration key that names the route map explicitly (env <c>Gateway__YarpFile</c>).</summary>
    public const string PathKey = "Gateway:YarpFile";

    public static WebApplicationBuilder AddYarpJson(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        var path = Locate(builder.Configuration[PathKey], builder.Environment.ContentRootPath);

        // The map goes right after appsettings*.json, so that user secrets, environment variables, the command
        // line and test overrides can still change single values of it (a timeout, say).
        var sources = builder.Configuration.Sources;
        var index = 0;
        for (var i = 0; i < sources.Count; i++)
        {
            if (sources[i] is JsonConfigurationSource { Path: { } name } && name.StartsWith("appsettings", StringComparison.OrdinalIgnoreCase))
            {
                index = i + 1;
            }
        }

        sources.Insert(index, new JsonConfigurationSource
        {
            FileProvider = SingleFileWatch.ProviderFor(path),
            Path = Path.GetFileName(path),
            Optional = false,
            ReloadOnChange = true,
        });
        return builder;
    }

    /// <summary>
    /// An explicit path wins; otherwise the content root (a published app, a container), then its parent
    /// (<c>dotnet run --project Gateway</c> from the repository root), then the directory of the binary.
    /// </summary>
    internal static string Locate(string? configured, string contentRoot)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            var full = Path.GetFullPath(configured, contentRoot);
            return File.Exists(full)
                ? full
                : throw new FileNotFoundException($"The route map named by {PathKey} does not exist.", full);
        }

        string[] candidates =
        [
            Path.Combine(contentRoot, FileName),
            Path.Combine(contentRoot, "..", FileName),
            Path.Combine(AppContext.BaseDirectory, FileName),
        ];
        foreach (var candidate in candidates)
        {
            if (File.Exists(candidate))
            {
                return Path.GetFullPath(candidate);
            }
        }

        throw new FileNotFoundException(
            $"{FileName} was not found next to the content root, in its parent or beside the binary; set {PathKey}.",
            candidates[0]);
    }
}

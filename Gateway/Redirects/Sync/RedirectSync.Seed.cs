using StackExchange.Redis;

namespace Gateway.Redirects;

/// <summary>The seed file, imported into a Redis that has no record of a table.</summary>
internal sealed partial class RedirectSync
{
    /// <summary>
    /// Imports the seed file into an empty table when Redis has no record of a table (<see cref="RedisRedirectStore.SeededKey"/>):
    /// the gateway that sets that key first imports; the others see its entries arrive as edits. What happened, in a
    /// few words for /readyz, or null when nothing was imported.
    /// </summary>
    private async Task<string?> SeedAsync(CancellationToken cancel)
    {
        var file = options.CurrentValue.SeedFile;
        if (string.IsNullOrWhiteSpace(file))
        {
            return null;
        }

        var claim = $"{file} imported {time.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture)} by {Environment.MachineName}/{_markerId}";
        if (!await store.Database.StringSetAsync(store.SeededKey, claim, when: When.NotExists))
        {
            string seededKey = store.SeededKey!;
            LogNotReseeded(logger, seededKey);
            return null;
        }

        var path = Path.GetFullPath(file, environment.ContentRootPath);
        if (!File.Exists(path))
        {
            path = Path.GetFullPath(Path.Combine(environment.ContentRootPath, "..", file));
        }

        if (!File.Exists(path))
        {
            LogNoSeed(logger, file);
            return null;
        }

        try
        {
            var result = await importer.ImportAsync(await RedirectSeedFile.ReadAsync(path, cancel), ImportMode.Seed, author: null, cancel);
            foreach (var problem in result.Problems)
            {
                LogSeedProblem(logger, path, problem);
            }

            LogSeeded(logger, result.Written, path);
            return result.Written > 0 ? $"{result.Written} entries imported from {file}" : null;
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            LogSeedUnreadable(logger, path, e.Message);
            return null;
        }
    }
}

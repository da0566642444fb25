using StackExchange.Redis;

namespace Gateway.Redirects;

/// <summary>
/// <c>dotnet run --project Gateway -- redirects …</c>: the table from the command line, against the Redis of the
/// gateway's configuration (<c>Redis__Configuration</c>), with the same validation as every other way in.
/// </summary>
internal static class RedirectsCommand
{
    public const string Name = "redirects";

    private const string Usage = """
        usage: dotnet run --project Gateway -- redirects <command>
          list [prefix] [--not-hit-since=<date>]          entries in Redis (bad ones marked), sorted by path, with hits
                                                          over every gateway and the last hit
          set <path> <destination> [--permanent] [--status=301|302|303|307|308] [--prefix] [--no-keep-path]
                                   [--ignore-case] [--drop-query] [--expires=<time or 30m|12h|7d>]
          remove <path>
          import <file> [--replace]                       JSON (key -> entry) or CSV (.csv: source,target,status,match,
                                                          keepPath,caseSensitive,preserveQuery,expiresAt); all or nothing;
                                                          --replace makes Redis equal to the file
          export <file>                                   the table in Redis, as JSON or (.csv) CSV
        paths: /api/v1/revenues or the original's -api-v1-revenues
        """;

    public static bool IsInvocation(string[] args) => args.Length > 0 && args[0] == Name;

    /// <summary>Runs the command; the process's exit code: 0 done, 1 refused or failed, 2 bad usage.</summary>
    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(args);

        var words = args.Skip(1).Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
        var flags = args.Where(a => a.StartsWith("--", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
        if (words.Length == 0)
        {
            await error.WriteLineAsync(Usage);
            return 2;
        }

        var redis = services.GetRequiredService<IConnectionMultiplexer>();
        if (!redis.IsConnected)
        {
            await error.WriteLineAsync($"redirects: Redis at {redis.Configuration.Split(',')[0]} is not reachable (set Redis__Configuration).");
            return 1;
        }

        try
        {
            return (words[0], words.Length) switch
            {
                ("list", 1 or 2) => await ListAsync(services, words.ElementAtOrDefault(1), Value(flags, "--not-hit-since"), output, error),
                ("set", 3) => EntryOf(words[2], flags) is { } entry
                    ? await SetAsync(services, words[1], entry, output, error)
                    : await UsageAsync(error),
                ("remove", 2) => await RemoveAsync(services, words[1], output, error),
                ("export", 2) => await ExportAsync(services, words[1], output),
                ("import", 2) => await ImportAsync(services, words[1], flags.Contains("--replace") ? ImportMode.Replace : ImportMode.Merge, output, error),
                _ => await UsageAsync(error),
            };
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            await error.WriteLineAsync($"redirects: Redis failed: {e.Message}");
            return 1;
        }
    }

    /// <summary>The entry <c>set</c>'s flags describe, or null when a flag's value is not understood.</summary>
    private static RedirectEntry? EntryOf(string destination, HashSet<string> flags)
    {
        int? status = null;
        if (Value(flags, "--status") is { } statusText)
        {
            if (!int.TryParse(statusText, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
            {
                return null;
            }

            status = parsed;
        }

        DateTimeOffset? expires = null;
        if (Value(flags, "--expires") is { } expiresText)
        {
            expires = ParseExpiry(expiresText);
            if (expires is null)
            {
                return null;
            }
        }

        return new RedirectEntry(destination, flags.Contains("--permanent") || status is 301 or 308, flags.Contains("--drop-query") ? false : null)
        {
            Status = status,
            Match = flags.Contains("--prefix") ? RedirectEntry.PrefixMatch : null,
            KeepPath = flags.Contains("--no-keep-path") ? false : null,
            CaseSensitive = flags.Contains("--ignore-case") ? false : null,
            ExpiresAt = expires,
        };
    }

    private static string? Value(HashSet<string> flags, string name)
        => flags.FirstOrDefault(flag => flag.StartsWith(name + "=", StringComparison.Ordinal))?[(name.Length + 1)..];

    /// <summary>An absolute time (ISO 8601) or a lifetime from now: <c>90s</c>, <c>30m</c>, <c>12h</c>, <c>7d</c>.</summary>
    internal static DateTimeOffset? ParseExpiry(string text)
    {
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        if (text.Length > 1 && double.TryParse(text.AsSpan(0, text.Length - 1), System.Globalization.NumberStyles.Float, invariant, out var amount) && amount > 0)
        {
            TimeSpan? lifetime = text[^1] switch
            {
                's' => TimeSpan.FromSeconds(amount),
                'm' => TimeSpan.FromMinutes(amount),
                'h' => TimeSpan.FromHours(amount),
                'd' => TimeSpan.FromDays(amount),
                _ => null,
            };
            if (lifetime is not null)
            {
                return DateTimeOffset.UtcNow + lifetime.Value;
            }
        }

        return DateTimeOffset.TryParse(text, invariant, System.Globalization.DateTimeStyles.AssumeUniversal, out var at) ? at : null;
    }

    /// <summary>The entry's rules in a few words: <c>301, prefix, path dropped, any case, query dropped, expires …</c>.</summary>
    internal static string Describe(RedirectEntry entry)
    {
        var parts = new List<string> { entry.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (entry.IsPrefix)
        {
            parts.Add(entry.KeepsPath ? "prefix" : "prefix, path dropped");
        }

        if (entry.IgnoresCase)
        {
            parts.Add("any case");
        }

        if (!entry.KeepsQuery)
        {
            parts.Add("query dropped");
        }

        if (entry.ExpiresAt is { } at)
        {
            parts.Add("expires " + at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
        }

        return string.Join(", ", parts);
    }

    private static async Task<int> UsageAsync(TextWriter error)
    {
        await error.WriteLineAsync(Usage);
        return 2;
    }

    private static async Task<int> ListAsync(IServiceProvider services, string? prefix, string? notHitSince, TextWriter output, TextWriter error)
    {
        DateTimeOffset? since = null;
        if (notHitSince is not null)
        {
            if (!DateTimeOffset.TryParse(notHitSince, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed))
            {
                return await UsageAsync(error);
            }

            since = parsed;
        }

        var store = services.GetRequiredService<RedisRedirectStore>();
        var validator = services.GetRequiredService<RedirectValidator>();
        var path = prefix is null ? null : RedirectKey.Normalize(prefix);
        var valid = new List<KeyValuePair<string, RedirectEntry>>();
        var rows = new List<(string Key, string Text)>();
        await foreach (var (key, json) in store.ScanAsync())
        {
            if (path is not null && !key.StartsWith(path, StringComparison.Ordinal))
            {
                continue;
            }

            var entry = RedisRedirectStore.Parse(json);
            var problem = entry is null ? "not an entry's JSON" : validator.Check(key, entry);
            if (problem is null)
            {
                valid.Add(new(key, entry!));
            }
            else if (since is null)
            {
                rows.Add((key, $"{key} SKIPPED: {problem}: {json}"));
            }
        }

        var (items, _) = await services.GetRequiredService<RedirectListing>().ListAsync(valid, null, since, int.MaxValue);
        foreach (var item in items)
        {
            var last = item.LastHit is { } at ? at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture) : "never";
            rows.Add((item.Key, $"{item.Key} -> {item.Entry.Destination} ({Describe(item.Entry)}) hits {item.Hits}, last {last}"));
        }

        foreach (var (_, text) in rows.OrderBy(row => row.Key, StringComparer.Ordinal))
        {
            await output.WriteLineAsync(text);
        }

        await output.WriteLineAsync(since is null ? $"{rows.Count} entries" : $"{rows.Count} entries not hit since {since:O}");
        return 0;
    }

    private static async Task<int> SetAsync(IServiceProvider services, string path, RedirectEntry entry, TextWriter output, TextWriter error)
    {
        await LoadCurrentAsync(services);
        var key = RedirectKey.Normalize(path);
        var problem = await services.GetRequiredService<RedirectEditor>().SetAsync(key, entry);
        if (problem is not null)
        {
            await error.WriteLineAsync($"redirects: {key} refused: {problem}");
            return 1;
        }

        await output.WriteLineAsync($"{key} -> {entry.Destination} ({Describe(entry)})");
        return 0;
    }

    private static async Task<int> RemoveAsync(IServiceProvider services, string path, TextWriter output, TextWriter error)
    {
        var key = RedirectKey.Normalize(path);
        if (!await services.GetRequiredService<RedirectEditor>().RemoveAsync(key))
        {
            await error.WriteLineAsync($"redirects: no entry {key}");
            return 1;
        }

        await output.WriteLineAsync($"{key} removed");
        return 0;
    }

    private static async Task<int> ImportAsync(IServiceProvider services, string file, ImportMode mode, TextWriter output, TextWriter error)
    {
        if (!File.Exists(file))
        {
            await error.WriteLineAsync($"redirects: {file} does not exist");
            return 1;
        }

        IReadOnlyList<RedirectFileItem> entries;
        try
        {
            entries = await RedirectSeedFile.ReadAsync(file, CancellationToken.None);
        }
        catch (InvalidDataException e)
        {
            await error.WriteLineAsync($"redirects: {file} is not a redirect table: {e.Message}");
            return 1;
        }

        var result = await services.GetRequiredService<RedirectImporter>().ImportAsync(entries, mode, RedirectAuthor.Cli, CancellationToken.None);
        if (result.BusyWith is { } holder)
        {
            await error.WriteLineAsync($"redirects: nothing imported: an import by {holder} is still running; try again when it has ended");
            return 3;
        }

        if (result.Problems.Count > 0)
        {
            await error.WriteLineAsync($"redirects: nothing imported, {result.Problems.Count} entries refused:");
            foreach (var problem in result.Problems)
            {
                await error.WriteLineAsync("  " + problem);
            }

            return 1;
        }

        await output.WriteLineAsync($"imported {result.Written} entries from {file}{(mode == ImportMode.Replace ? $", deleted {result.Deleted} others" : "")}");
        return 0;
    }

    private static async Task<int> ExportAsync(IServiceProvider services, string file, TextWriter output)
    {
        var table = await services.GetRequiredService<RedirectLoader>().LoadAsync(CancellationToken.None);
        await using (var stream = File.Create(file))
        {
            if (RedirectFile.FormatOf(file) == RedirectFileFormat.Csv)
            {
                RedirectFile.WriteCsv(stream, table.Entries);
            }
            else
            {
                await RedirectFile.WriteJsonAsync(stream, table.Entries, CancellationToken.None);
            }
        }

        await output.WriteLineAsync($"exported {table.Count} entries to {file}");
        return 0;
    }

    private static async Task LoadCurrentAsync(IServiceProvider services)
    {
        var table = await services.GetRequiredService<RedirectLoader>().LoadAsync(CancellationToken.None);
        services.GetRequiredService<RedirectSnapshot>().Replace(table, DateTimeOffset.UtcNow);
    }
}

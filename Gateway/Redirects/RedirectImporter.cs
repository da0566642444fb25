using Microsoft.Extensions.Options;

namespace Gateway.Redirects;

/// <summary>How an import treats what Redis already holds.</summary>
internal enum ImportMode
{
    /// <summary>Set every entry of the file; leave other entries alone.</summary>
    Merge,

    /// <summary>Make Redis equal to the file: set its entries, delete every other.</summary>
    Replace,

    /// <summary>Set the entries Redis does not have yet (the start-up import into an empty table).</summary>
    Seed,
}

/// <summary>The outcome of an import: how many were written and deleted, or why nothing was.</summary>
internal sealed record ImportResult(int Written, int Deleted, IReadOnlyList<string> Problems);

/// <summary>Writes a set of entries into Redis after validating all of them together (a cycle spans entries).</summary>
internal sealed class RedirectImporter(RedisRedirectStore store, RedirectValidator validator, IOptionsMonitor<RedirectOptions> options)
{
    public async Task<ImportResult> ImportAsync(IReadOnlyList<KeyValuePair<string, RedirectEntry?>> entries, ImportMode mode, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(entries);

        var problems = new List<string>();
        var valid = new List<KeyValuePair<string, RedirectEntry>>();
        foreach (var (key, entry) in entries)
        {
            var problem = validator.Check(key, entry);
            if (problem is null)
            {
                valid.Add(new(key, entry!));
            }
            else
            {
                problems.Add($"{key}: {problem}");
            }
        }

        var table = RedirectTable.Create(valid);
        foreach (var (key, entry) in valid)
        {
            if (!RedirectKey.LocalPath(entry.Destination).IsEmpty && !table.TryResolve(key, options.CurrentValue.MaxChain, out _))
            {
                problems.Add($"{key}: part of a cycle or of a chain longer than {options.CurrentValue.MaxChain}");
            }
        }

        if (problems.Count > 0 && mode != ImportMode.Seed)
        {
            return new ImportResult(0, 0, problems);
        }

        var writes = valid.Select(pair => store.SetAsync(pair.Key, pair.Value, onlyIfMissing: mode == ImportMode.Seed)).ToArray();
        var written = (await Task.WhenAll(writes)).Count(done => done);

        var deleted = 0;
        if (mode == ImportMode.Replace)
        {
            var keep = valid.Select(pair => pair.Key).ToHashSet(StringComparer.Ordinal);
            var stale = new List<Task<bool>>();
            await foreach (var (key, _) in store.ScanAsync(cancel))
            {
                if (!keep.Contains(key))
                {
                    stale.Add(store.RemoveAsync(key));
                }
            }

            deleted = (await Task.WhenAll(stale)).Count(done => done);
        }

        return new ImportResult(written, deleted, problems);
    }
}

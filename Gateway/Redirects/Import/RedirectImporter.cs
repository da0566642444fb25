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

/// <summary>The outcome of an import: how many were written and deleted, or why nothing was (bad lines, or another import running).</summary>
internal sealed record ImportResult(int Written, int Deleted, IReadOnlyList<string> Problems, string? BusyWith = null);

/// <summary>What the admin API answers for an import that went through.</summary>
internal sealed record ImportSummary(
    [property: System.Text.Json.Serialization.JsonPropertyName("written")] int Written,
    [property: System.Text.Json.Serialization.JsonPropertyName("deleted")] int Deleted);

/// <summary>
/// Writes a set of entries into Redis after validating all of them together (a cycle spans entries), then into this
/// replica's table at once, as a single edit is (<see cref="RedirectEditor"/>): the admin page lists right after an import,
/// and must not miss what it just wrote while Redis's notification is on its way. Other replicas follow by notification.
/// An entry a replace deletes loses its hit counts with it. An import with an author (the admin API, the CLI) is logged:
/// who, the mode, how many written and deleted, and which keys were deleted.
/// </summary>
internal sealed class RedirectImporter(
    RedisRedirectStore store,
    RedirectImportLease lease,
    RedirectValidator validator,
    RedirectSnapshot snapshot,
    IOptionsMonitor<RedirectOptions> options,
    ILogger<RedirectImporter> logger)
{
    public async Task<ImportResult> ImportAsync(IReadOnlyList<RedirectFileItem> items, ImportMode mode, RedirectAuthor? author, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(items);

        var problems = new List<string>();
        var valid = new List<KeyValuePair<string, RedirectEntry>>();
        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (line, key, entry, unreadable) in items)
        {
            var problem = unreadable ?? (lines.TryGetValue(key, out var earlier) ? $"{key} is also on line {earlier}" : validator.Check(key, entry));
            lines.TryAdd(key, line);
            if (problem is null)
            {
                valid.Add(new(key, entry!));
            }
            else
            {
                problems.Add($"line {line}: {key}: {problem}");
            }
        }

        var table = RedirectTable.Create(valid);
        foreach (var (key, entry) in valid)
        {
            if (!RedirectKey.LocalPath(entry.Destination).IsEmpty && !table.TryResolve(key, options.CurrentValue.MaxChain, out _))
            {
                problems.Add($"line {lines[key]}: {key}: part of a cycle or of a chain longer than {options.CurrentValue.MaxChain}");
            }
        }

        if (problems.Count > 0 && mode != ImportMode.Seed)
        {
            if (author is not null)
            {
                RedirectChangeLog.ImportRefused(logger, author, mode, problems.Count);
            }

            return new ImportResult(0, 0, problems);
        }

        // One import at a time over every replica (the seed has its own claim, gateway:redirect-seeded).
        await using var held = mode == ImportMode.Seed ? null : await TakeLeaseAsync(author);
        if (mode != ImportMode.Seed && held?.Lease is null)
        {
            return new ImportResult(0, 0, [], held?.HeldBy ?? "another import");
        }

        var writes = await Task.WhenAll(valid.Select(pair => store.SetAsync(pair.Key, pair.Value, onlyIfMissing: mode == ImportMode.Seed)));
        var applied = valid.Where((_, i) => writes[i]).Select(pair => KeyValuePair.Create(pair.Key, (RedirectEntry?)pair.Value)).ToList();
        var written = applied.Count;
        var deleted = mode == ImportMode.Replace ? await RemoveAllButAsync(valid, cancel) : [];
        applied.AddRange(deleted.Select(key => KeyValuePair.Create(key, (RedirectEntry?)null)));
        snapshot.Apply(applied);
        if (author is not null)
        {
            RedirectChangeLog.Imported(logger, author, mode, written, deleted);
        }

        return new ImportResult(written, deleted.Count, problems);
    }

    private async Task<LeaseTaken> TakeLeaseAsync(RedirectAuthor? author)
    {
        var (taken, heldBy) = await lease.TryTakeAsync(author ?? RedirectAuthor.Cli, options.CurrentValue.ImportLeaseTime);
        return new LeaseTaken(taken, heldBy);
    }

    /// <summary>The lease if taken (given back on dispose), else who holds it.</summary>
    private sealed record LeaseTaken(RedirectImportLease.Held? Lease, string? HeldBy) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Lease?.DisposeAsync() ?? ValueTask.CompletedTask;
    }

    /// <summary>Deletes every entry in Redis but these (with their hit counts); the keys it deleted, sorted.</summary>
    private async Task<List<string>> RemoveAllButAsync(List<KeyValuePair<string, RedirectEntry>> keep, CancellationToken cancel)
    {
        var kept = keep.Select(pair => pair.Key).ToHashSet(StringComparer.Ordinal);
        var stale = new List<string>();
        await foreach (var (key, _) in store.ScanAsync(cancel))
        {
            if (!kept.Contains(key))
            {
                stale.Add(key);
            }
        }

        stale.Sort(StringComparer.Ordinal); // listed in order in the log
        var removals = await Task.WhenAll(stale.Select(store.RemoveAsync));
        return stale.Where((_, i) => !removals[i].IsNull).ToList();
    }
}

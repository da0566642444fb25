using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Redirects;

/// <summary>
/// Turns what Redis holds into a table the gateway may serve: each entry parsed and validated, a bad one (typed by hand,
/// say) skipped and logged with its key, a cycle logged and left unserved.
/// </summary>
internal sealed partial class RedirectLoader(
    RedisRedirectStore store,
    RedirectValidator validator,
    IOptionsMonitor<RedirectOptions> options,
    ILogger<RedirectLoader> logger)
{
    private const int MaxReportedProblems = 50;

    public async Task<RedirectTable> LoadAsync(CancellationToken cancel)
    {
        var entries = new List<KeyValuePair<string, RedirectEntry>>();
        var skipped = 0;
        await foreach (var (key, json) in store.ScanAsync(cancel))
        {
            var entry = Accept(key, json, ref skipped);
            if (entry is not null)
            {
                entries.Add(new(key, entry));
            }
        }

        var table = RedirectTable.Create(entries);
        ReportCycles(table);
        if (skipped > MaxReportedProblems)
        {
            LogMoreSkipped(logger, skipped - MaxReportedProblems);
        }

        return table;
    }

    /// <summary>The entry stored at <paramref name="key"/> if it may be served, else null (and a log line why).</summary>
    public RedirectEntry? Accept(string key, RedisValue json)
    {
        var skipped = 0;
        return Accept(key, json, ref skipped);
    }

    private RedirectEntry? Accept(string key, RedisValue json, ref int skipped)
    {
        if (json.IsNull)
        {
            return null;
        }

        var entry = RedisRedirectStore.Parse(json);
        var problem = entry is null ? "its value is not {\"destination\":…,\"permanent\":…} JSON" : validator.Check(key, entry);
        if (problem is null)
        {
            return entry;
        }

        if (++skipped <= MaxReportedProblems)
        {
            LogSkipped(logger, store.Prefix + key, problem);
        }

        return null;
    }

    private void ReportCycles(RedirectTable table)
    {
        var reported = 0;
        var maxChain = options.CurrentValue.MaxChain;
        foreach (var (key, entry) in table.Entries)
        {
            if (!RedirectKey.LocalPath(entry.Destination).IsEmpty && !table.TryResolve(key, maxChain, out _) && ++reported <= MaxReportedProblems)
            {
                LogCycle(logger, store.Prefix + key, maxChain);
            }
        }
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Redirect {RedisKey} skipped: {Problem}")]
    private static partial void LogSkipped(ILogger logger, string redisKey, string problem);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "{Count} more bad redirect entries skipped")]
    private static partial void LogMoreSkipped(ILogger logger, int count);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "Redirect {RedisKey} is part of a cycle or a chain longer than {MaxChain}: not served")]
    private static partial void LogCycle(ILogger logger, string redisKey, int maxChain);
}

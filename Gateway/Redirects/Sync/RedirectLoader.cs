using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
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

    /// <summary>How many pages (SCAN page + MGET) may be read ahead of the parsers.</summary>
    private const int PagesAhead = 8;

    /// <summary>
    /// The whole table: one task reads pages from Redis (each SCAN and MGET sent without waiting for the previous
    /// reply) into a bounded channel, and one parser per core parses and validates them meanwhile.
    /// </summary>
    public async Task<RedirectTable> LoadAsync(CancellationToken cancel)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var pages = Channel.CreateBounded<Task<(string Key, RedisValue Json)[]>>(
            new BoundedChannelOptions(PagesAhead) { SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
        var skipped = new StrongBox<int>();
        var reading = Task.Run(() => ReadAsync(pages.Writer, stop), CancellationToken.None);
        var parsing = new Task<List<KeyValuePair<string, RedirectEntry>>>[Math.Max(1, Environment.ProcessorCount)];
        for (var i = 0; i < parsing.Length; i++)
        {
            parsing[i] = Task.Run(() => ParseAsync(pages.Reader, skipped, stop), CancellationToken.None);
        }

        try
        {
            await Task.WhenAll([reading, .. parsing]);
        }
        catch
        {
            // Pages read but never parsed: their replies observed, so a failed one is not reported as unobserved.
            while (pages.Reader.TryRead(out var page))
            {
                _ = page.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            }

            // The failure that stopped the load, not the cancellations it caused in the other tasks.
            var failure = Array.Find([reading, .. parsing], t => t.IsFaulted)?.Exception?.InnerException;
            if (failure is not null && !cancel.IsCancellationRequested)
            {
                ExceptionDispatchInfo.Throw(failure);
            }

            throw;
        }

        var entries = new List<KeyValuePair<string, RedirectEntry>>(parsing.Sum(p => p.Result.Count));
        foreach (var parsed in parsing)
        {
            entries.AddRange(parsed.Result);
        }

        var table = RedirectTable.Create(entries);
        ReportCycles(table);
        if (skipped.Value > MaxReportedProblems)
        {
            LogMoreSkipped(logger, skipped.Value - MaxReportedProblems);
        }

        return table;
    }

    private async Task ReadAsync(ChannelWriter<Task<(string Key, RedisValue Json)[]>> pages, CancellationTokenSource stop)
    {
        try
        {
            await foreach (var page in store.ReadPagesAsync(stop.Token))
            {
                await pages.WriteAsync(page, stop.Token);
            }
        }
        catch
        {
            await stop.CancelAsync();
            throw;
        }
        finally
        {
            pages.TryComplete();
        }
    }

    private async Task<List<KeyValuePair<string, RedirectEntry>>> ParseAsync(
        ChannelReader<Task<(string Key, RedisValue Json)[]>> pages, StrongBox<int> skipped, CancellationTokenSource stop)
    {
        var entries = new List<KeyValuePair<string, RedirectEntry>>();
        try
        {
            await foreach (var page in pages.ReadAllAsync(stop.Token))
            {
                foreach (var (key, json) in await page)
                {
                    var entry = Accept(key, json, ref skipped.Value);
                    if (entry is not null)
                    {
                        entries.Add(new(key, entry));
                    }
                }
            }
        }
        catch
        {
            await stop.CancelAsync();
            throw;
        }

        return entries;
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

        if (Interlocked.Increment(ref skipped) <= MaxReportedProblems)
        {
            LogSkipped(logger, store.Prefix + key, problem);
        }

        return null;
    }

    /// <summary>
    /// Logs each entry whose chain never ends within MaxChain (lookups never serve them). Only an entry whose destination
    /// is itself answered by an entry starts a chain, so the others cost one lookup; the entries are checked on every
    /// core, the table being read-only.
    /// </summary>
    private void ReportCycles(RedirectTable table)
    {
        var reported = 0;
        var maxChain = options.CurrentValue.MaxChain;
        Parallel.ForEach(table.Entries, pair =>
        {
            var (key, entry) = pair;
            var local = RedirectKey.LocalPath(entry.Destination);
            if (!local.IsEmpty && table.Match(local, out _) is not null && !table.TryResolve(key, maxChain, out _)
                && Interlocked.Increment(ref reported) <= MaxReportedProblems)
            {
                LogCycle(logger, store.Prefix + key, maxChain);
            }
        });
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Redirect {RedisKey} skipped: {Problem}")]
    private static partial void LogSkipped(ILogger logger, string redisKey, string problem);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "{Count} more bad redirect entries skipped")]
    private static partial void LogMoreSkipped(ILogger logger, int count);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "Redirect {RedisKey} is part of a cycle or a chain longer than {MaxChain}: not served")]
    private static partial void LogCycle(ILogger logger, string redisKey, int maxChain);
}

using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Redirects;

/// <summary>
/// Every <see cref="RedirectOptions.HitFlushInterval"/>, adds the hits this gateway counted in memory to the totals in
/// Redis (one script call per <see cref="RedirectHitStore.MaxBatch"/> entries hit), so every replica's hits are summed.
/// Hits that cannot be added (Redis away) go back on their entries and are added at a later flush; a last flush runs at
/// shutdown.
/// </summary>
internal sealed partial class RedirectHitFlush(
    RedirectSnapshot snapshot,
    RedirectHitStore hits,
    IOptionsMonitor<RedirectOptions> options,
    ILogger<RedirectHitFlush> logger) : BackgroundService
{
    private bool _failing;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(options.CurrentValue.HitFlushInterval, stoppingToken);
                await FlushAsync();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            await FlushAsync();
        }
    }

    /// <summary>Adds what was counted since the last flush; never throws.</summary>
    public async Task FlushAsync()
    {
        var batch = new List<(string Key, long Count, long LastUnixMs)>();
        var taken = new List<RedirectEntry>();
        try
        {
            foreach (var (key, entry) in snapshot.Current.Entries)
            {
                var (count, ticks) = entry.TakeHits();
                if (count == 0)
                {
                    continue;
                }

                batch.Add((key, count, (ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMillisecond));
                taken.Add(entry);
                if (batch.Count == RedirectHitStore.MaxBatch)
                {
                    await hits.AddAsync(batch);
                    batch.Clear();
                    taken.Clear();
                }
            }

            if (batch.Count > 0)
            {
                await hits.AddAsync(batch);
            }

            _failing = false;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A callback boundary: whatever failed, the hits not added go back on their entries for the next flush.
            for (var i = 0; i < taken.Count; i++)
            {
                taken[i].ReturnHits(batch[i].Count, DateTime.UnixEpoch.Ticks + (batch[i].LastUnixMs * TimeSpan.TicksPerMillisecond));
            }

            if (!_failing)
            {
                _failing = true;
                LogFlushFailed(logger, e.GetType().Name);
            }
        }
    }

    [LoggerMessage(EventId = 4030, Level = LogLevel.Warning, Message = "Redirect hit counts not added to Redis ({Error}); kept in memory and retried")]
    private static partial void LogFlushFailed(ILogger logger, string error);
}

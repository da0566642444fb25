using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Options;

namespace Gateway.Caching;

/// <summary>
/// Evicts a collection's cached answers, and those of the collections related to it (both ways), from the shared store:
/// every replica reads that store, so one eviction reaches them all.
/// </summary>
internal sealed partial class CacheEviction(IOutputCacheStore store, IOptionsMonitor<ResponseCacheOptions> options, ILogger<CacheEviction> logger)
{
    public async ValueTask EvictAsync(string collection, string reason, CancellationToken cancel)
    {
        foreach (var tag in TagsOf(collection))
        {
            await store.EvictByTagAsync(tag, cancel);
        }

        LogEvicted(logger, collection, reason);
    }

    /// <summary>The collection a Strapi model belongs to: by uid (<c>api::invoice.invoice</c>), else by the model's short name.</summary>
    public string? CollectionOfModel(string? uid, string? model)
    {
        foreach (var (name, collection) in options.CurrentValue.Collections)
        {
            if (string.Equals(collection.Model, uid, StringComparison.Ordinal)
                || (model is not null && collection.Model.EndsWith("." + model, StringComparison.Ordinal)))
            {
                return name;
            }
        }

        return null;
    }

    private HashSet<string> TagsOf(string collection)
    {
        var tags = new HashSet<string>(StringComparer.Ordinal) { collection };
        foreach (var (name, other) in options.CurrentValue.Collections)
        {
            if (name == collection)
            {
                tags.UnionWith(other.Related);
            }
            else if (other.Related.Contains(collection))
            {
                tags.Add(name);
            }
        }

        return tags;
    }

    [LoggerMessage(EventId = 11001, Level = LogLevel.Debug, Message = "Response cache: {Collection} evicted ({Reason})")]
    private static partial void LogEvicted(ILogger logger, string collection, string reason);
}

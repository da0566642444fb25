using System.Collections.Concurrent;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.DataProtection.StackExchangeRedis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Access;

/// <summary>
/// The data-protection key ring in Redis (<see cref="RedisXmlRepository"/> at
/// <see cref="AccessServiceCollectionExtensions.DataProtectionKey"/>), remembering every element this replica read or
/// stored: the ring its key manager holds in memory. <see cref="KeyRingWriteBack"/> puts back what Redis lost, so no
/// replica started afterwards makes a second ring while this one holds a valid one. A replica that finds no key in
/// Redis and holds none asks the others first (<see cref="HoldersChannel"/>) and waits a little for their write-back
/// before its key manager makes a new key.
/// </summary>
internal sealed partial class KeyRingRepository(IConnectionMultiplexer redis, IOptionsMonitor<AccessOptions> options, ILogger<KeyRingRepository> logger) : IXmlRepository
{
    /// <summary>Replicas that hold a key ring listen here; one that finds none in Redis publishes, and the listeners write theirs back.</summary>
    public static readonly RedisChannel HoldersChannel = RedisChannel.Literal(AccessServiceCollectionExtensions.DataProtectionKey + ":holders");

    // ARGV: pairs of (identity, XML); pushes each element whose identity (id:<key id>, or the XML itself for another
    // element) is not in the list yet. One script, so two replicas writing back at once push each element once.
    private const string WriteBackScript = """
        local present = {}
        for _, item in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
          present[item] = true
          local id = string.match(item, '<key id="([^"]+)"')
          if id then
            present['id:' .. id] = true
          end
        end
        local pushed = 0
        for i = 1, #ARGV, 2 do
          if not present[ARGV[i]] then
            redis.call('RPUSH', KEYS[1], ARGV[i + 1])
            present[ARGV[i]] = true
            pushed = pushed + 1
          end
        end
        return pushed
        """;

    private readonly RedisXmlRepository _redis = new(() => redis.GetDatabase(), AccessServiceCollectionExtensions.DataProtectionKey);
    private readonly ConcurrentDictionary<string, string> _held = new(StringComparer.Ordinal);
    private int _listening;

    /// <summary>A replica that found no key in Redis asks for the ring (<see cref="HoldersChannel"/>): write it back now.</summary>
    public event Action? Asked;

    /// <summary>How many elements (keys, revocations) this replica holds.</summary>
    public int Held => _held.Count;

    /// <summary>What the last write-back put back, for /readyz; null if none.</summary>
    public string? Note { get; private set; }

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        var elements = _redis.GetAllElements();
        if (elements.Count == 0 && _held.IsEmpty)
        {
            elements = AwaitWriteBack();
        }
        else if (elements.Count == 0)
        {
            // The key manager refreshing its ring just after Redis lost it: what it holds goes back first, so it never
            // sees an empty ring and makes a second one.
            var pushed = (int)redis.GetDatabase().ScriptEvaluate(WriteBackScript, [AccessServiceCollectionExtensions.DataProtectionKey], Pairs(out var held));
            Written(pushed, held);
            elements = _redis.GetAllElements();
        }

        foreach (var element in elements)
        {
            Remember(element);
        }

        return elements;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        _redis.StoreElement(element, friendlyName);
        Remember(element);
    }

    /// <summary>Puts back every element held here that Redis lacks; how many (logged when any).</summary>
    public async Task<int> WriteBackAsync()
    {
        var pairs = Pairs(out var held);
        if (held == 0)
        {
            return 0;
        }

        var pushed = (int)await redis.GetDatabase().ScriptEvaluateAsync(WriteBackScript, [AccessServiceCollectionExtensions.DataProtectionKey], pairs);
        Written(pushed, held);
        return pushed;
    }

    /// <summary>The elements held here as the script's (identity, XML) pairs.</summary>
    private RedisValue[] Pairs(out int held)
    {
        var elements = _held.ToArray();
        held = elements.Length;
        var pairs = new RedisValue[elements.Length * 2];
        for (var i = 0; i < elements.Length; i++)
        {
            pairs[2 * i] = elements[i].Key;
            pairs[(2 * i) + 1] = elements[i].Value;
        }

        return pairs;
    }

    private void Written(int pushed, int held)
    {
        if (pushed > 0)
        {
            Note = $"written back {DateTimeOffset.UtcNow:HH:mm:ss} after Redis lost it: {pushed} of {held} elements";
            LogWrittenBack(logger, pushed, held);
        }
    }

    private void Remember(XElement element)
    {
        var xml = element.ToString(SaveOptions.DisableFormatting);
        var id = element.Name.LocalName == "key" ? element.Attribute("id")?.Value : null;
        _held.TryAdd(id is null ? xml : "id:" + id, xml);
        Listen();
    }

    /// <summary>
    /// Once a ring is held here, this replica listens on <see cref="HoldersChannel"/> (so a replica starting on an empty
    /// Redis counts it, and waits for its write-back); tried again at each check until the subscription is made.
    /// </summary>
    public void Listen()
    {
        if (_held.IsEmpty || Interlocked.Exchange(ref _listening, 1) == 1)
        {
            return;
        }

        redis.GetSubscriber().SubscribeAsync(HoldersChannel, (_, _) => Asked?.Invoke()).ContinueWith(
            failed =>
            {
                _ = failed.Exception; // observed: Redis away, tried again at the next check
                Interlocked.Exchange(ref _listening, 0);
            },
            CancellationToken.None, TaskContinuationOptions.NotOnRanToCompletion, TaskScheduler.Default);
    }

    /// <summary>
    /// None in Redis, none held here: if another replica holds a ring (it listens on <see cref="HoldersChannel"/>), its
    /// write-back is waited for, up to <see cref="AccessOptions.KeyRingWait"/>; else a new ring is made, as before.
    /// </summary>
    private IReadOnlyCollection<XElement> AwaitWriteBack()
    {
        var holders = redis.GetSubscriber().Publish(HoldersChannel, Environment.MachineName);
        if (holders == 0)
        {
            return [];
        }

        LogAwaiting(logger, holders);
        var deadline = DateTime.UtcNow + options.CurrentValue.KeyRingWait;
        while (DateTime.UtcNow < deadline)
        {
            Thread.Sleep(50);
            var elements = _redis.GetAllElements();
            if (elements.Count > 0)
            {
                return elements;
            }
        }

        return [];
    }

    [LoggerMessage(EventId = 9361, Level = LogLevel.Warning, Message = "Redis lost the data-protection key ring: written back {Count} of the {Held} elements held here")]
    private static partial void LogWrittenBack(ILogger logger, int count, int held);

    [LoggerMessage(EventId = 9360, Level = LogLevel.Information, Message = "No data-protection key in Redis, but {Holders} other replicas hold the key ring: waiting for its write-back")]
    private static partial void LogAwaiting(ILogger logger, long holders);
}

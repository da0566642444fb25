namespace Gateway.Redirects;

/// <summary>The redirect table: where it lives in Redis and what it may point to. Section <c>Redirects</c>.</summary>
public sealed class RedirectOptions
{
    public const string SectionName = "Redirects";

    /// <summary>Every entry is one Redis string at <c>{KeyPrefix}{path}</c> holding its JSON.</summary>
    public string KeyPrefix { get; set; } = "gateway:redirect:";

    /// <summary>Hosts an absolute destination may name; a destination on any other host is refused.</summary>
    public IList<string> AllowedHosts { get; } = [];

    /// <summary>The table's starting point, imported when Redis holds no entry. Empty: none.</summary>
    public string? SeedFile { get; set; } = "redirects.json";

    /// <summary>
    /// This often, a check for what keyspace notifications cannot tell (a flush, notifications switched off, an unread
    /// edit), which reloads the table in full when it finds one; besides the full load at every (re)connection.
    /// </summary>
    public TimeSpan ResyncInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// This often each gateway asks Redis (one EXISTS) whether its marker key is still there; gone means Redis lost its
    /// data (FLUSHALL, FLUSHDB, a restart without persistence), which no notification tells, and the table is reloaded.
    /// </summary>
    public TimeSpan LossCheckInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How often each gateway adds the hits it counted in memory to the totals in Redis.</summary>
    public TimeSpan HitFlushInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest chain A→B→…→Z that is followed to its end; a longer one, or a cycle, is not served.</summary>
    public int MaxChain { get; set; } = 8;

    /// <summary>The largest table <c>POST /api/redirects/import</c> reads (a larger one: 413; import it with the CLI).</summary>
    public long MaxImportBytes { get; set; } = 32 * 1024 * 1024;

    /// <summary>How long an import's lease lasts at most (one import at a time over every replica); a dead holder's ends by itself.</summary>
    public TimeSpan ImportLeaseTime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The largest entry <c>PUT /api/redirects/{key}</c> reads.</summary>
    public long MaxEntryBytes { get; set; } = 64 * 1024;

    /// <summary>The key of the admin API (header <c>X-Admin-Key</c>). Unset: the admin API is off.</summary>
    public string? AdminKey { get; set; }
}

namespace Gateway.Redirects;

/// <summary>The table the gateway serves right now: swapped whole on a resync, one entry at a time on an edit.</summary>
internal sealed class RedirectSnapshot
{
    private readonly Lock _writer = new();
    private volatile RedirectTable _current = RedirectTable.Empty;

    public RedirectTable Current => _current;

    /// <summary>When the table last matched Redis in full; null until the first load.</summary>
    public DateTimeOffset? SyncedAt { get; private set; }

    /// <summary>The last notable thing a full load did (the seed file imported, Redis found wiped), for /readyz.</summary>
    public string? Note { get; private set; }

    public void Replace(RedirectTable table, DateTimeOffset syncedAt, string? note = null)
    {
        lock (_writer)
        {
            // Hits counted on the old entries and not yet added to Redis go on counting on the reloaded ones.
            if (_current.Count > 0)
            {
                foreach (var (key, entry) in _current.Entries)
                {
                    if (table.Find(key) is { } next && !ReferenceEquals(next, entry))
                    {
                        entry.CarryHitsTo(next);
                    }
                }
            }

            _current = table;
            SyncedAt = syncedAt;
            Note = note;
        }
    }

    /// <summary>A check found nothing missed since the last full load: the table still matches Redis in full.</summary>
    public void Confirm(DateTimeOffset at)
    {
        lock (_writer)
        {
            SyncedAt = at;
        }
    }

    public void Apply(string key, RedirectEntry? entry) => Apply([new(key, entry)]);

    public void Apply(IEnumerable<KeyValuePair<string, RedirectEntry?>> edits)
    {
        lock (_writer)
        {
            var next = _current.With(edits);
            _current = next.NeedsCompaction ? next.Compact() : next;
        }
    }
}

using System.Collections.Frozen;

namespace Gateway.Redirects;

/// <summary>
/// An immutable snapshot of the whole table. Lookups take the request path as a span and allocate nothing. A one-entry
/// edit makes a new snapshot that shares the large frozen base and copies only a small overlay of recent edits;
/// <see cref="Compact"/> folds the overlay into a new base when it grows.
/// </summary>
internal sealed class RedirectTable
{
    private readonly FrozenDictionary<string, RedirectEntry> _base;
    private readonly FrozenDictionary<string, RedirectEntry>.AlternateLookup<ReadOnlySpan<char>> _baseLookup;
    private readonly Dictionary<string, RedirectEntry?> _overlay;
    private readonly Dictionary<string, RedirectEntry?>.AlternateLookup<ReadOnlySpan<char>> _overlayLookup;

    private RedirectTable(FrozenDictionary<string, RedirectEntry> entries, Dictionary<string, RedirectEntry?> overlay, int count)
    {
        _base = entries;
        _baseLookup = entries.GetAlternateLookup<ReadOnlySpan<char>>();
        _overlay = overlay;
        _overlayLookup = overlay.GetAlternateLookup<ReadOnlySpan<char>>();
        Count = count;
    }

    public static RedirectTable Empty { get; } = Create([]);

    /// <summary>How many entries the table holds.</summary>
    public int Count { get; }

    /// <summary>Edits not yet folded into the base.</summary>
    public int OverlayCount => _overlay.Count;

    /// <summary>True when the overlay is big enough that lookups and edits would gain from <see cref="Compact"/>.</summary>
    public bool NeedsCompaction => _overlay.Count > Math.Max(256, _base.Count / 16);

    public IEnumerable<KeyValuePair<string, RedirectEntry>> Entries
    {
        get
        {
            foreach (var (key, entry) in _base)
            {
                if (!_overlay.ContainsKey(key))
                {
                    yield return new(key, entry);
                }
            }

            foreach (var (key, entry) in _overlay)
            {
                if (entry is not null)
                {
                    yield return new(key, entry);
                }
            }
        }
    }

    public static RedirectTable Create(IEnumerable<KeyValuePair<string, RedirectEntry>> entries)
    {
        var frozen = entries.ToFrozenDictionary(StringComparer.Ordinal);
        return new RedirectTable(frozen, new Dictionary<string, RedirectEntry?>(StringComparer.Ordinal), frozen.Count);
    }

    public RedirectEntry? Find(ReadOnlySpan<char> key)
    {
        if (_overlay.Count > 0 && _overlayLookup.TryGetValue(key, out var edited))
        {
            return edited;
        }

        return _baseLookup.TryGetValue(key, out var entry) ? entry : null;
    }

    /// <summary>A snapshot with <paramref name="key"/> set to <paramref name="entry"/>, or removed when it is null.</summary>
    public RedirectTable With(string key, RedirectEntry? entry) => With([new(key, entry)]);

    /// <summary>A snapshot with each edit made in order (an entry set, or removed when null): one overlay copy for all.</summary>
    public RedirectTable With(IEnumerable<KeyValuePair<string, RedirectEntry?>> edits)
    {
        ArgumentNullException.ThrowIfNull(edits);

        var overlay = new Dictionary<string, RedirectEntry?>(_overlay, StringComparer.Ordinal);
        var count = Count;
        foreach (var (key, entry) in edits)
        {
            var had = (overlay.TryGetValue(key, out var edited) ? edited : _base.GetValueOrDefault(key)) is not null;
            if (entry is null && !_base.ContainsKey(key))
            {
                overlay.Remove(key);
            }
            else
            {
                overlay[key] = entry;
            }

            count += entry is null ? (had ? -1 : 0) : (had ? 0 : 1);
        }

        return new RedirectTable(_base, overlay, count);
    }

    public RedirectTable Compact() => _overlay.Count == 0 ? this : Create(Entries);

    /// <summary>
    /// What a request for <paramref name="path"/> gets: its entry, with a chain of local destinations followed to the
    /// end (A→B→C answers A with C; permanent only if every step is). False for no entry, and for a cycle or a chain
    /// longer than <paramref name="maxChain"/>, which are never served.
    /// </summary>
    public bool TryResolve(ReadOnlySpan<char> path, int maxChain, out RedirectEntry resolved)
    {
        resolved = null!;
        var entry = Find(RedirectKey.ForLookup(path));
        if (entry is null)
        {
            return false;
        }

        var permanent = entry.Permanent;
        var keepsQuery = entry.KeepsQuery;
        for (var hops = 0; ; hops++)
        {
            var local = RedirectKey.LocalPath(entry.Destination);
            var next = local.IsEmpty ? null : Find(local);
            if (next is null)
            {
                break;
            }

            if (hops >= maxChain)
            {
                return false;
            }

            entry = next;
            permanent &= next.Permanent;
            keepsQuery &= next.KeepsQuery;
        }

        resolved = entry.Permanent == permanent && entry.KeepsQuery == keepsQuery
            ? entry
            : new RedirectEntry(entry.Destination, permanent, keepsQuery);
        return true;
    }
}

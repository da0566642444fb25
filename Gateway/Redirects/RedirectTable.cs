using System.Collections.Frozen;
using System.Text.Json;

namespace Gateway.Redirects;

/// <summary>
/// An immutable snapshot of the whole table. Lookups take the request path as a span and allocate nothing. A one-entry
/// edit makes a new snapshot that shares the large frozen base and copies only a small overlay of recent edits;
/// <see cref="Compact"/> folds the overlay into a new base when it grows. Entries that ignore case are also indexed by a
/// case-insensitive map to their key; prefix entries are found by looking up each '/'-ancestor of the path, longest
/// first, so a lookup costs a few hash probes per path segment whatever the table's size.
/// </summary>
internal sealed class RedirectTable
{
    // A plain Dictionary, not a FrozenDictionary: as fast to look up in here, and several times faster to build for a
    // million keys (the frozen one analyses the keys first), which is what a full load waits on.
    private readonly Dictionary<string, RedirectEntry> _base;
    private readonly Dictionary<string, RedirectEntry>.AlternateLookup<ReadOnlySpan<char>> _baseLookup;
    private readonly FrozenDictionary<string, string> _baseFolded;
    private readonly FrozenDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _baseFoldedLookup;
    private readonly Dictionary<string, RedirectEntry?> _overlay;
    private readonly Dictionary<string, RedirectEntry?>.AlternateLookup<ReadOnlySpan<char>> _overlayLookup;
    private readonly Dictionary<string, string> _overlayFolded;
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _overlayFoldedLookup;
    private readonly bool _anyPrefix;

    private RedirectTable(
        Dictionary<string, RedirectEntry> entries,
        FrozenDictionary<string, string> folded,
        Dictionary<string, RedirectEntry?> overlay,
        Dictionary<string, string> overlayFolded,
        int count,
        bool anyPrefix)
    {
        _base = entries;
        _baseLookup = entries.GetAlternateLookup<ReadOnlySpan<char>>();
        _baseFolded = folded;
        _baseFoldedLookup = folded.GetAlternateLookup<ReadOnlySpan<char>>();
        _overlay = overlay;
        _overlayLookup = overlay.GetAlternateLookup<ReadOnlySpan<char>>();
        _overlayFolded = overlayFolded;
        _overlayFoldedLookup = overlayFolded.GetAlternateLookup<ReadOnlySpan<char>>();
        Count = count;
        _anyPrefix = anyPrefix;
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
        var frozen = new Dictionary<string, RedirectEntry>(entries is ICollection<KeyValuePair<string, RedirectEntry>> known ? known.Count : 0, StringComparer.Ordinal);
        foreach (var (key, entry) in entries)
        {
            frozen[key] = entry;
        }

        var folded = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var anyPrefix = false;
        foreach (var (key, entry) in frozen)
        {
            anyPrefix |= entry.IsPrefix;
            if (entry.IgnoresCase)
            {
                folded[key] = key;
            }
        }

        return new RedirectTable(frozen, folded.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase),
            new Dictionary<string, RedirectEntry?>(StringComparer.Ordinal), new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase),
            frozen.Count, anyPrefix);
    }

    /// <summary>The entry stored at exactly this key (expired or not), or null.</summary>
    public RedirectEntry? Find(ReadOnlySpan<char> key)
    {
        if (_overlay.Count > 0 && _overlayLookup.TryGetValue(key, out var edited))
        {
            return edited;
        }

        return _baseLookup.TryGetValue(key, out var entry) ? entry : null;
    }

    /// <summary>
    /// The entry that answers <paramref name="path"/>, or null: its exact key as written, then regardless of case for an
    /// entry that allows it, then the longest prefix entry above it (in the same order at each length). Expired entries
    /// are passed over. <paramref name="matched"/> is the length of the key matched.
    /// </summary>
    public RedirectEntry? Match(ReadOnlySpan<char> path, out int matched)
    {
        var key = RedirectKey.ForLookup(path);
        var entry = Live(Find(key)) ?? Live(FindIgnoringCase(key));
        if (entry is not null)
        {
            matched = key.Length;
            return entry;
        }

        if (_anyPrefix)
        {
            for (var end = key.LastIndexOf('/'); end > 0; end = key[..end].LastIndexOf('/'))
            {
                var candidate = key[..end];
                entry = Live(Find(candidate));
                if (entry is not { IsPrefix: true })
                {
                    entry = Live(FindIgnoringCase(candidate));
                }

                if (entry is { IsPrefix: true })
                {
                    matched = end;
                    return entry;
                }
            }
        }

        matched = 0;
        return null;
    }

    private RedirectEntry? FindIgnoringCase(ReadOnlySpan<char> key)
    {
        // Each map names a key; the entry there now (an edit may have replaced or removed it) must still ignore case.
        if (_overlayFolded.Count > 0 && _overlayFoldedLookup.TryGetValue(key, out var edited) && Find(edited) is { IgnoresCase: true } fromEdit)
        {
            return fromEdit;
        }

        return _baseFolded.Count > 0 && _baseFoldedLookup.TryGetValue(key, out var stored) && Find(stored) is { IgnoresCase: true } entry ? entry : null;
    }

    private static RedirectEntry? Live(RedirectEntry? entry)
        => entry is { ExpiresAt: not null } && entry.ExpiredAt(DateTimeOffset.UtcNow) ? null : entry;

    /// <summary>A snapshot with <paramref name="key"/> set to <paramref name="entry"/>, or removed when it is null.</summary>
    public RedirectTable With(string key, RedirectEntry? entry) => With([new(key, entry)]);

    /// <summary>
    /// A snapshot with each edit made in order (an entry set, or removed when null): one overlay copy for all. Hits counted
    /// on a replaced entry and not yet added to Redis carry over to its successor.
    /// </summary>
    public RedirectTable With(IEnumerable<KeyValuePair<string, RedirectEntry?>> edits)
    {
        ArgumentNullException.ThrowIfNull(edits);

        var overlay = new Dictionary<string, RedirectEntry?>(_overlay, StringComparer.Ordinal);
        var overlayFolded = _overlayFolded;
        var count = Count;
        var anyPrefix = _anyPrefix;
        foreach (var (key, entry) in edits)
        {
            var had = overlay.TryGetValue(key, out var edited) ? edited : _base.GetValueOrDefault(key);
            if (had is not null && entry is not null && !ReferenceEquals(had, entry))
            {
                had.CarryHitsTo(entry);
            }

            if (entry is null && !_base.ContainsKey(key))
            {
                overlay.Remove(key);
            }
            else
            {
                overlay[key] = entry;
            }

            if (entry is { IgnoresCase: true })
            {
                if (ReferenceEquals(overlayFolded, _overlayFolded))
                {
                    overlayFolded = new Dictionary<string, string>(_overlayFolded, StringComparer.OrdinalIgnoreCase);
                }

                overlayFolded[key] = key;
            }

            anyPrefix |= entry is { IsPrefix: true };
            count += entry is null ? (had is not null ? -1 : 0) : (had is not null ? 0 : 1);
        }

        return new RedirectTable(_base, _baseFolded, overlay, overlayFolded, count, anyPrefix);
    }

    /// <summary>
    /// Whether both tables hold the same entries, each with the same JSON: what the periodic check compares (the count
    /// alone misses an entry changed or swapped for another). Compared on every core.
    /// </summary>
    public bool SameContent(RedirectTable other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (other.Count != Count)
        {
            return false;
        }

        var same = true;
        Parallel.ForEach(Entries, (pair, loop) =>
        {
            if (other.Find(pair.Key) is not { } entry || (!ReferenceEquals(entry, pair.Value)
                && JsonSerializer.Serialize(entry, RedirectJsonContext.Default.RedirectEntry) != JsonSerializer.Serialize(pair.Value, RedirectJsonContext.Default.RedirectEntry)))
            {
                same = false;
                loop.Stop();
            }
        });
        return same;
    }

    public RedirectTable Compact() => _overlay.Count == 0 ? this : Create(Entries);

    /// <summary>
    /// What a request for <paramref name="path"/> gets: <paramref name="matched"/>, the entry that answers it (whose hits
    /// count), and <paramref name="resolved"/>, the redirect to send: a prefix entry's destination with the rest of the
    /// path, and a chain of local destinations followed to the end (A→B→C answers A with C; permanent only if every
    /// step is). False for no entry, and for a cycle or a chain longer than <paramref name="maxChain"/>, never served.
    /// Allocates nothing for an exact entry that ends no chain.
    /// </summary>
    public bool TryResolve(ReadOnlySpan<char> path, int maxChain, out RedirectEntry resolved, out RedirectEntry matched)
    {
        resolved = matched = null!;
        var first = Match(path, out var length);
        if (first is null)
        {
            return false;
        }

        var destination = Target(first, path, length);
        var permanent = first.IsPermanent;
        var keepsQuery = first.KeepsQuery;
        for (var hops = 0; ; hops++)
        {
            var local = RedirectKey.LocalPath(destination);
            var next = local.IsEmpty ? null : Match(local, out length);
            if (next is null)
            {
                break;
            }

            if (hops >= maxChain)
            {
                return false;
            }

            destination = Target(next, local, length);
            permanent &= next.IsPermanent;
            keepsQuery &= next.KeepsQuery;
        }

        matched = first;
        var status = permanent || !first.IsPermanent ? first.StatusCode
            : first.StatusCode == StatusCodes.Status301MovedPermanently ? StatusCodes.Status302Found : StatusCodes.Status307TemporaryRedirect;
        resolved = ReferenceEquals(destination, first.Destination) && status == first.StatusCode && keepsQuery == first.KeepsQuery
            ? first
            : new RedirectEntry(destination, permanent, keepsQuery) { Status = status };
        return true;
    }

    public bool TryResolve(ReadOnlySpan<char> path, int maxChain, out RedirectEntry resolved) => TryResolve(path, maxChain, out resolved, out _);

    /// <summary>Where <paramref name="entry"/> sends <paramref name="path"/>: its destination, with the rest of the path for a prefix.</summary>
    private static string Target(RedirectEntry entry, ReadOnlySpan<char> path, int matched)
    {
        if (!entry.IsPrefix || !entry.KeepsPath || matched >= path.Length)
        {
            return entry.Destination;
        }

        // The rest starts at a '/' (prefixes match whole segments); escaped as a path, since the request's was decoded.
        var rest = new PathString(path[matched..].ToString()).ToUriComponent();
        var destination = entry.Destination;
        var end = destination.AsSpan().IndexOfAny('?', '#');
        var target = end < 0 ? destination.AsSpan() : destination.AsSpan(0, end);
        var tail = end < 0 ? [] : destination.AsSpan(end);
        return string.Concat(target.TrimEnd('/'), rest, tail);
    }
}

using System.Text.Json.Serialization;

namespace Gateway.Redirects;

/// <summary>
/// One redirect: where to, with which status, and what it matches. The original's shape
/// (<c>{"destination","permanent"}</c>) is the whole of an exact entry; the rest is optional: <c>status</c> (301, 302,
/// 303, 307, 308; <c>permanent</c> is shorthand for 308/307), <c>match</c> (<c>exact</c> or <c>prefix</c>),
/// <c>keepPath</c> (a prefix entry appends the rest of the path unless false), <c>caseSensitive</c> (true unless
/// false), <c>expiresAt</c>, <c>preserveQuery</c>.
/// </summary>
public sealed record RedirectEntry(
    [property: JsonPropertyName("destination")] string Destination,
    [property: JsonPropertyName("permanent")] bool Permanent,
    [property: JsonPropertyName("preserveQuery"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool? PreserveQuery = null)
{
    public const string PrefixMatch = "prefix";
    public const string ExactMatch = "exact";

    // The rules beyond the original's shape live in one side object, absent for a plain entry: a million plain entries
    // then cost one reference each for them instead of ~40 bytes. The JSON source generator sets every init property,
    // absent ones to null, so a null creates no side object.
    private Rules? _rules;

    [JsonPropertyName("status"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Status { get => _rules?.Status; init { if (value is not null || _rules is not null) { Set().Status = value; } } }

    [JsonPropertyName("match"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Match { get => _rules?.Match; init { if (value is not null || _rules is not null) { Set().Match = Shared(value); } } }

    /// <summary>The one copy of a known match kind: a parsed "prefix" is not held once per entry.</summary>
    private static string? Shared(string? match) => match switch
    {
        PrefixMatch => PrefixMatch,
        ExactMatch => ExactMatch,
        _ => match,
    };

    [JsonPropertyName("keepPath"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? KeepPath { get => _rules?.KeepPath; init { if (value is not null || _rules is not null) { Set().KeepPath = value; } } }

    [JsonPropertyName("caseSensitive"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? CaseSensitive { get => _rules?.CaseSensitive; init { if (value is not null || _rules is not null) { Set().CaseSensitive = value; } } }

    [JsonPropertyName("expiresAt"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? ExpiresAt { get => _rules?.ExpiresAt; init { if (value is not null || _rules is not null) { Set().ExpiresAt = value; } } }

    private Rules Set() => _rules ??= new Rules();

    /// <summary>A <c>with</c> copy: its own rules (so setting one never changes the original's) and no hits of its own yet.</summary>
    private RedirectEntry(RedirectEntry original)
    {
        Destination = original.Destination;
        Permanent = original.Permanent;
        PreserveQuery = original.PreserveQuery;
        _rules = original._rules?.Copy();
    }

    /// <summary>The query string is kept unless the entry says <c>"preserveQuery": false</c>.</summary>
    [JsonIgnore]
    public bool KeepsQuery => PreserveQuery ?? true;

    [JsonIgnore]
    public bool IsPrefix => Match == PrefixMatch;

    /// <summary>A prefix entry appends the rest of the request's path unless <c>"keepPath": false</c>.</summary>
    [JsonIgnore]
    public bool KeepsPath => KeepPath ?? true;

    [JsonIgnore]
    public bool IgnoresCase => CaseSensitive == false;

    [JsonIgnore]
    public int StatusCode => Status ?? (Permanent ? StatusCodes.Status308PermanentRedirect : StatusCodes.Status307TemporaryRedirect);

    [JsonIgnore]
    public bool IsPermanent => StatusCode is StatusCodes.Status301MovedPermanently or StatusCodes.Status308PermanentRedirect;

    /// <summary>True when the entry has expired at <paramref name="now"/> and must not be served.</summary>
    public bool ExpiredAt(DateTimeOffset now) => ExpiresAt is { } at && at <= now;

    // Hits on this gateway not yet added to Redis, and the last one's UTC ticks: counted on the request path with two
    // plain interlocked writes and no allocation, taken by RedirectHitFlush every few seconds.
    private long _hits;
    private long _lastHitTicks;

    internal void Hit(long utcTicks)
    {
        Interlocked.Increment(ref _hits);
        Volatile.Write(ref _lastHitTicks, utcTicks);
    }

    /// <summary>The hits since the last take and the last hit's UTC ticks; the count goes back to zero.</summary>
    internal (long Count, long LastTicks) TakeHits() => (Interlocked.Exchange(ref _hits, 0), Volatile.Read(ref _lastHitTicks));

    /// <summary>The optional rules of one entry; written only while the entry is being initialised.</summary>
    private sealed class Rules
    {
        public int? Status { get; set; }

        public string? Match { get; set; }

        public bool? KeepPath { get; set; }

        public bool? CaseSensitive { get; set; }

        public DateTimeOffset? ExpiresAt { get; set; }

        public Rules Copy() => (Rules)MemberwiseClone();
    }

    /// <summary>Hits taken but not added to Redis (it failed) go back, to be added next time.</summary>
    internal void ReturnHits(long count, long utcTicks)
    {
        Interlocked.Add(ref _hits, count);
        Volatile.Write(ref _lastHitTicks, Math.Max(utcTicks, Volatile.Read(ref _lastHitTicks)));
    }

    /// <summary>Hits counted on an entry that an edit replaced go on counting on its successor.</summary>
    internal void CarryHitsTo(RedirectEntry next)
    {
        ArgumentNullException.ThrowIfNull(next);
        var (count, last) = TakeHits();
        if (count > 0)
        {
            next.ReturnHits(count, last);
        }
    }
}

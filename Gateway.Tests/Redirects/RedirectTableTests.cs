using Gateway.Redirects;
using Microsoft.AspNetCore.Http;

namespace Gateway.Tests.Redirects;

public sealed class RedirectTableTests
{
    private static RedirectTable Table(params (string Key, string Destination, bool Permanent)[] entries)
        => RedirectTable.Create(entries.Select(e => new KeyValuePair<string, RedirectEntry>(e.Key, new RedirectEntry(e.Destination, e.Permanent))));

    [Theory]
    [InlineData("/api/v1/revenues")]
    [InlineData("/api/v1/revenues/")]
    [InlineData("/api/v1/revenues//")]
    public void Resolve_HitWithOrWithoutTrailingSlash(string path)
    {
        var table = Table(("/api/v1/revenues", "/api/v2/revenues/en-us", false));

        Assert.True(table.TryResolve(path, 8, out var entry));
        Assert.Equal("/api/v2/revenues/en-us", entry.Destination);
    }

    [Theory]
    [InlineData("/api/v1/revenue")]
    [InlineData("/API/v1/revenues")]
    [InlineData("/api/v1/revenues/x")]
    [InlineData("/")]
    public void Resolve_Miss(string path)
    {
        Assert.False(Table(("/api/v1/revenues", "/x", false)).TryResolve(path, 8, out _));
    }

    [Fact]
    public void Resolve_ChainCollapsesToTheEnd_PermanentOnlyIfEveryStepIs()
    {
        var table = Table(("/a", "/b", true), ("/b", "/c?x=1", false), ("/c", "https://example.com/final", true));

        Assert.True(table.TryResolve("/a", 8, out var entry));
        Assert.Equal("https://example.com/final", entry.Destination);
        Assert.False(entry.Permanent);
    }

    [Theory]
    [InlineData("/a", "/one")]
    [InlineData("/a/", "/one/")]
    [InlineData("/a/x/y", "/one/x/y")]
    [InlineData("/a/b", "/exact")]
    [InlineData("/a/b/x", "/two/x")]
    [InlineData("/A/b/x", "/one-folded/b/x")]
    [InlineData("/ab", null)]
    [InlineData("/gone/x", null)]
    public void Resolve_ExactThenLongestPrefix_ThroughBaseAndEdits(string path, string? destination)
    {
        var table = RedirectTable.Create(
        [
            new("/a", new RedirectEntry("/one", false) { Match = RedirectEntry.PrefixMatch }),
            new("/a/b", new RedirectEntry("/exact", false)),
            new("/gone", new RedirectEntry("/g", false) { Match = RedirectEntry.PrefixMatch, CaseSensitive = false }),
        ]);
        table = table.With(
        [
            new("/A", new RedirectEntry("/one-folded", false) { Match = RedirectEntry.PrefixMatch, CaseSensitive = false }),
            new("/a/b/", new RedirectEntry("/unused", false)),
            new("/a/b/", null),
            new("/a/b", new RedirectEntry("/two", false) { Match = RedirectEntry.PrefixMatch }),
            new("/gone", null),
        ]).With("/a/b", new RedirectEntry("/two", false) { Match = RedirectEntry.PrefixMatch });

        // "/a/b" is now a prefix entry: it answers "/a/b" itself with its destination.
        var expected = destination == "/exact" ? "/two" : destination;
        Assert.Equal(expected is not null, table.TryResolve(path, 8, out var entry));
        Assert.Equal(expected, entry?.Destination);
        Assert.Equal(expected is not null, table.Compact().TryResolve(path, 8, out var compacted));
        Assert.Equal(expected, compacted?.Destination);
    }

    [Fact]
    public void Resolve_ExpiredEntry_PassedOver()
    {
        var table = RedirectTable.Create(
        [
            new("/a", new RedirectEntry("/prefix", false) { Match = RedirectEntry.PrefixMatch }),
            new("/a/b", new RedirectEntry("/expired", false) { ExpiresAt = DateTimeOffset.UtcNow.AddSeconds(-1) }),
            new("/a/c", new RedirectEntry("/live", false) { ExpiresAt = DateTimeOffset.UtcNow.AddHours(1) }),
        ]);

        Assert.True(table.TryResolve("/a/b", 8, out var expired));
        Assert.Equal("/prefix/b", expired.Destination);
        Assert.True(table.TryResolve("/a/c", 8, out var live));
        Assert.Equal("/live", live.Destination);
    }

    [Fact]
    public void Resolve_Hit_CountedOnTheMatchedEntry_CarriedAcrossAnEdit()
    {
        var entry = new RedirectEntry("/x", false);
        var table = RedirectTable.Create([new("/a", entry)]);

        Assert.True(table.TryResolve("/a", 8, out _, out var matched));
        matched.Hit(42);
        matched.Hit(43);
        var replacement = new RedirectEntry("/y", false);
        table.With("/a", replacement);

        Assert.Same(entry, matched);
        Assert.Equal((2L, 43L), replacement.TakeHits());
        Assert.Equal((0L, 43L), entry.TakeHits());
    }

    [Fact]
    public void Resolve_CycleOrTooLongChain_NotServed()
    {
        Assert.False(Table(("/a", "/b", true), ("/b", "/a", true)).TryResolve("/a", 8, out _));
        Assert.False(Table(("/a", "/b", true), ("/b", "/c", true), ("/c", "/d", true)).TryResolve("/a", 1, out _));
        Assert.True(Table(("/a", "/b", true), ("/b", "/c", true), ("/c", "/d", true)).TryResolve("/a", 2, out _));
    }

    [Fact]
    public void With_OneEdit_NewSnapshotOldOneUnchanged()
    {
        var before = Table(("/a", "/x", false));

        var after = before.With("/b", new RedirectEntry("/y", true)).With("/a", null);

        Assert.Equal(1, before.Count);
        Assert.NotNull(before.Find("/a"));
        Assert.Null(after.Find("/a"));
        Assert.Equal("/y", after.Find("/b")!.Destination);
        Assert.Equal(1, after.Count);
        Assert.Equal(2, after.OverlayCount);
        Assert.Equal(["/b"], after.Compact().Entries.Select(e => e.Key));
        Assert.Equal(0, after.Compact().OverlayCount);
    }

    [Fact]
    public void With_ABatchOfEdits_AppliedInOrder_CountKept()
    {
        var before = Table(("/a", "/x", false), ("/b", "/x", false));

        var after = before.With(
        [
            new("/c", new RedirectEntry("/1", false)),
            new("/a", null),
            new("/c", new RedirectEntry("/2", true)),
            new("/b", new RedirectEntry("/3", false)),
            new("/d", null),
            new("/a", new RedirectEntry("/4", false)),
        ]);

        Assert.Equal(2, before.Count);
        Assert.Equal("/x", before.Find("/a")!.Destination);
        Assert.Equal("/2", after.Find("/c")!.Destination);
        Assert.Equal("/3", after.Find("/b")!.Destination);
        Assert.Equal("/4", after.Find("/a")!.Destination);
        Assert.Null(after.Find("/d"));
        Assert.Equal(3, after.Count);
        Assert.Equal(3, after.Compact().Entries.Count());
    }

    [Fact]
    public void With_RemovingAbsentKey_CountUnchanged()
    {
        var table = Table(("/a", "/x", false)).With("/nope", null);

        Assert.Equal(1, table.Count);
        Assert.Equal(0, table.OverlayCount);
    }

    [Theory]
    [InlineData("/new", null, "", "/new")]
    [InlineData("/new", null, "?a=1&b=2", "/new?a=1&b=2")]
    [InlineData("/new?x=1", null, "?a=1", "/new?x=1&a=1")]
    [InlineData("/new#top", null, "?a=1", "/new?a=1#top")]
    [InlineData("/new", false, "?a=1", "/new")]
    [InlineData("https://example.com/p", true, "?a=%20b", "https://example.com/p?a=%20b")]
    public void Location_QueryKeptUnlessTheEntrySaysNot(string destination, bool? preserveQuery, string query, string expected)
    {
        var location = RedirectMiddleware.Location(new RedirectEntry(destination, false, preserveQuery), new QueryString(query.Length == 0 ? null : query));

        Assert.Equal(expected, location);
    }

    [Theory]
    [InlineData("-api-v1-revenues", "/api/v1/revenues")]
    [InlineData("-api-v1-revenues-fr", "/api/v1/revenues/fr")]
    [InlineData("/api/v1/revenues/", "/api/v1/revenues")]
    [InlineData("/", "/")]
    public void Key_OriginalFormAndTrailingSlash(string key, string expected)
    {
        Assert.Equal(expected, RedirectKey.Normalize(key));
    }
}

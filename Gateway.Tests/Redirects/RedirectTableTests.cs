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

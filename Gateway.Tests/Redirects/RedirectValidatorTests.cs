using Gateway.Redirects;
using Microsoft.Extensions.Options;

namespace Gateway.Tests.Redirects;

public sealed class RedirectValidatorTests
{
    private static readonly RedirectValidator Validator = new(new StaticOptions(new RedirectOptions { AllowedHosts = { "docs.example.com" } }));

    [Theory]
    [InlineData("/api/v1/revenues", "/api/v2/revenues/en-us")]
    [InlineData("/old", "/new?tab=paid#top")]
    [InlineData("/old", "https://docs.example.com/guide")]
    [InlineData("/old", "http://DOCS.example.com/guide")]
    [InlineData("/old", "/café")]
    [InlineData("/old", "/／x")]
    [InlineData("/café", "/menu")]
    public void Accepted(string key, string destination)
    {
        Assert.Null(Validator.Check(key, new RedirectEntry(destination, false)));
    }

    [Theory]
    [InlineData("/old", "https://evil.example.net/")]
    [InlineData("/old", "//evil.example.net/")]
    [InlineData("/old", "/\\evil.example.net")]
    [InlineData("/old", "javascript:alert(1)")]
    [InlineData("/old", "ftp://docs.example.com/")]
    [InlineData("/old", "https://user:pw@docs.example.com/")]
    [InlineData("/old", "/new\r\nSet-Cookie: a=b")]
    [InlineData("/old", "/new\u0000")]
    [InlineData("/old", "/new path")]
    [InlineData("/old", "")]
    [InlineData("/old", "relative/path")]
    [InlineData("/old", "/old")]
    [InlineData("/old", "/old/?a=1")]
    [InlineData("old", "/new")]
    [InlineData("//old", "/new")]
    [InlineData("/old?x=1", "/new")]
    [InlineData("/ol\td", "/new")]
    [InlineData("/old", "/new\u2028")]
    [InlineData("/old", "/new\u2029")]
    [InlineData("/old", "/new\u00a0x")]
    [InlineData("/old", "/new\u200b")]
    [InlineData("/old", "/new\u202e")]
    [InlineData("/old", "/new\u0085")]
    [InlineData("/ol\u2028d", "/new")]
    public void Refused(string key, string destination)
    {
        Assert.NotNull(Validator.Check(key, new RedirectEntry(destination, false)));
    }

    [Fact]
    public void LoneSurrogate_Refused()
    {
        Assert.NotNull(Validator.Check("/old", new RedirectEntry("/new" + '\ud800', false)));
    }

    private sealed class StaticOptions(RedirectOptions value) : IOptionsMonitor<RedirectOptions>
    {
        public RedirectOptions CurrentValue => value;

        public RedirectOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<RedirectOptions, string?> listener) => null;
    }
}

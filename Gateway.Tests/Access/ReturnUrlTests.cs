using Gateway.Access;

namespace Gateway.Tests.Access;

public sealed class ReturnUrlTests
{
    [Theory]
    [InlineData("/dashboard/invoices")]
    [InlineData("/")]
    [InlineData("/api/v2/invoices/en-us/csv?filters[invoice_status][$eq]=paid")]
    [InlineData("/search?q=a%20b&sort=date:desc")]
    [InlineData("/caf%C3%A9")]
    [InlineData("/x?note=100%25")]
    public void LocalPath_Kept(string value) => Assert.Equal(value, ReturnUrl.Sanitize(value));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("//evil.test")]
    [InlineData("//evil.test/path")]
    [InlineData("/\\evil.test")]
    [InlineData("\\\\evil.test")]
    [InlineData("https://evil.test")]
    [InlineData("javascript:alert(1)")]
    [InlineData("evil.test")]
    [InlineData("/%2F%2Fevil.test")]
    [InlineData("/%2Fevil.test")]
    [InlineData("/%252Fevil.test")]
    [InlineData("/%25252Fevil.test")]
    [InlineData("/%5Cevil.test")]
    [InlineData("%2F%2Fevil.test")]
    [InlineData("\t/x")]
    [InlineData("/x\r\nSet-Cookie: a=b")]
    [InlineData("/x%0d%0aSet-Cookie:%20a=b")]
    [InlineData("/x%250d%250a")]
    [InlineData("/é")]
    [InlineData("/x y")]
    [InlineData("/a\\b")]
    [InlineData(" /x")]
    public void AnythingThatCouldLeaveThisOrigin_BecomesHome(string? value) => Assert.Equal("/", ReturnUrl.Sanitize(value));

    [Fact]
    public void Overlong_BecomesHome()
    {
        Assert.Equal("/", ReturnUrl.Sanitize("/" + new string('a', ReturnUrl.MaxLength)));
        Assert.Equal("/" + new string('a', ReturnUrl.MaxLength - 1), ReturnUrl.Sanitize("/" + new string('a', ReturnUrl.MaxLength - 1)));
    }

    [Theory]
    [InlineData("/", "/auth/login")]
    [InlineData("/dashboard?a=1&b=2", "/auth/login?returnUrl=%2Fdashboard%3Fa%3D1%26b%3D2")]
    public void SignInPage_CarriesTheReturnUrlEscaped(string returnUrl, string expected) => Assert.Equal(expected, ReturnUrl.SignInPage(returnUrl));

    [Theory]
    [InlineData("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8", true)]
    [InlineData("text/html", true)]
    [InlineData("application/xhtml+xml", true)]
    [InlineData("application/json", false)]
    [InlineData("application/json, text/html;q=0.9", false)]
    [InlineData("*/*", false)]
    [InlineData("", false)]
    [InlineData("text/csv", false)]
    [InlineData("text/html;q=0", false)]
    [InlineData("not a media type ;;;", false)]
    public void PrefersHtml(string accept, bool expected) => Assert.Equal(expected, BrowserNavigation.PrefersHtml(accept));
}

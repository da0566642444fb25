using System.Net;
using System.Text.RegularExpressions;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// What a browser does in an OpenID Connect sign-in, over plain HTTP: keeps cookies, follows redirects one by one
/// (across the gateway and the provider), and fills and submits the provider's login form and consent form.
/// </summary>
public sealed partial class OidcBrowser : IDisposable
{
    private const int MaxSteps = 20;
    private readonly HttpClient _http;

    public OidcBrowser()
    {
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = Cookies })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public CookieContainer Cookies { get; } = new();

    /// <summary>Every URL the browser was sent to, in order.</summary>
    public List<Uri> Visited { get; } = [];

    /// <summary>
    /// Opens <paramref name="start"/> and goes where it is sent; on the provider's login page signs in as
    /// <paramref name="user"/> (the test provider takes any password), and accepts its consent page. Returns the first
    /// answer that is neither a redirect nor one of the provider's forms.
    /// </summary>
    public async Task<HttpResponseMessage> SignInAsync(Uri start, string user)
    {
        var response = await SendAsync(HttpMethod.Get, start, content: null);
        for (var step = 0; step < MaxSteps; step++)
        {
            var url = response.RequestMessage!.RequestUri!;
            if (response.Headers.Location is { } location)
            {
                response.Dispose();
                response = await SendAsync(HttpMethod.Get, new Uri(url, location), content: null);
                continue;
            }

            var html = response.Content.Headers.ContentType?.MediaType == "text/html" ? await response.Content.ReadAsStringAsync() : "";
            if (FormPattern().Match(html) is not { Success: true } form)
            {
                return response;
            }

            var fields = HiddenInputPattern().Matches(form.Value).ToDictionary(m => WebUtility.HtmlDecode(m.Groups["name"].Value), m => WebUtility.HtmlDecode(m.Groups["value"].Value));
            if (fields.GetValueOrDefault("prompt") == "login")
            {
                fields["login"] = user;
                fields["password"] = "any";
            }

            var action = new Uri(url, WebUtility.HtmlDecode(form.Groups["action"].Value));
            response.Dispose();
            response = await SendAsync(HttpMethod.Post, action, new FormUrlEncodedContent(fields));
        }

        throw new InvalidOperationException($"Sign-in did not finish within {MaxSteps} steps: {string.Join(" → ", Visited)}");
    }

    /// <summary>A request with the browser's cookies, not following redirects; a write carries the page's origin, as browsers send it.</summary>
    public Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri url, HttpContent? content)
    {
        ArgumentNullException.ThrowIfNull(url);

        Visited.Add(url);
        var request = new HttpRequestMessage(method, url) { Content = content };
        if (method != HttpMethod.Get)
        {
            request.Headers.Add("Origin", url.GetLeftPart(UriPartial.Authority));
        }

        return _http.SendAsync(request);
    }

    public void Dispose() => _http.Dispose();

    [GeneratedRegex("""<form[^>]*action="(?<action>[^"]+)"[^>]*method="post"[^>]*>.*?</form>""", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex FormPattern();

    [GeneratedRegex("""<input[^>]*type="hidden"[^>]*name="(?<name>[^"]+)"[^>]*value="(?<value>[^"]*)"[^>]*>""", RegexOptions.IgnoreCase)]
    private static partial Regex HiddenInputPattern();
}

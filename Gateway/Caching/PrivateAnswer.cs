using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Gateway.Caching;

/// <summary>
/// One answer to a signed-in caller on a route that is not open (<see cref="PrivateAnswersExtensions"/>): marked
/// <c>Cache-Control: private</c> when the response starts, remembering what it said before.
/// </summary>
internal sealed class PrivateAnswer(HttpContext http)
{
    /// <summary>Whether the answer was marked (the response started).</summary>
    public bool Marked { get; private set; }

    /// <summary>The answer's <c>Cache-Control</c> before it was marked.</summary>
    public StringValues Upstream { get; private set; }

    public Task MarkAsync()
    {
        var headers = http.Response.Headers;
        Upstream = headers.CacheControl;
        Marked = true;
        var validator = headers.ContainsKey(HeaderNames.ETag) || headers.ContainsKey(HeaderNames.LastModified);
        headers.CacheControl = PrivateCacheControl.For(Upstream, validator);
        return Task.CompletedTask;
    }
}

using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Transforms;

namespace Gateway.Access;

/// <summary>Takes the session cookie (and its chunks) out of the forwarded <c>Cookie</c> header; other cookies go on.</summary>
internal sealed class SessionCookieRemoveTransform(IOptionsMonitor<AccessOptions> options) : RequestTransform
{
    private const string CookieHeader = "Cookie";

    public override ValueTask ApplyAsync(RequestTransformContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        // Most forwarded requests carry no session cookie (bearer callers, the frontend's own cookies): left as they are.
        var name = options.CurrentValue.Session.CookieName;
        var headers = context.ProxyRequest.Headers;
        if (!CrossSiteGuard.HasSessionCookie(context.HttpContext.Request, name) || !headers.TryGetValues(CookieHeader, out var values))
        {
            return ValueTask.CompletedTask;
        }

        var kept = values
            .SelectMany(value => value.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .Where(pair => !IsSession(pair, name))
            .ToList();
        headers.Remove(CookieHeader);
        if (kept.Count > 0)
        {
            headers.TryAddWithoutValidation(CookieHeader, string.Join("; ", kept));
        }

        return ValueTask.CompletedTask;
    }

    /// <summary><c>name=…</c>, or a chunk <c>nameC1=…</c>, <c>nameC2=…</c> of a cookie ASP.NET Core split.</summary>
    internal static bool IsSession(string pair, string name)
    {
        var equals = pair.IndexOf('=', StringComparison.Ordinal);
        var cookie = (equals < 0 ? pair : pair[..equals]).AsSpan().Trim();
        if (!cookie.StartsWith(name, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = cookie[name.Length..];
        return rest.IsEmpty || (rest.Length > 1 && rest[0] == 'C' && int.TryParse(rest[1..], out _));
    }
}

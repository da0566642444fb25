using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Primitives;

namespace Gateway.Caching;

/// <summary>
/// An answer on a route that is not open (its policy is not <c>anonymous</c>) to a signed-in caller (session cookie, bearer,
/// admin key) is <c>Cache-Control: private</c> (<see cref="PrivateCacheControl"/>), whoever made it: Strapi, the frontend,
/// the gateway, or the response cache. Marked when the response starts: after the output cache captured a fresh answer's
/// headers (so a shareable Strapi answer is still stored as Strapi sent it) or copied a stored one's (so hits are marked
/// too). <see cref="UpstreamCacheControl"/> tells the cache policy what the answer said before it was marked.
/// </summary>
internal static class PrivateAnswersExtensions
{
    /// <summary>After access control (the caller and the route are known) and before the response cache.</summary>
    public static WebApplication UsePrivateAnswers(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        // Not async: an open route or a signed-out caller costs a check and nothing more.
        app.Use(static next => context =>
        {
            if (context.User.Identity?.IsAuthenticated == true && context.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is null)
            {
                var answer = new PrivateAnswer(context);
                context.Features.Set(answer);
                context.Response.OnStarting(static state => ((PrivateAnswer)state).MarkAsync(), answer);
            }

            return next(context);
        });
        return app;
    }

    /// <summary>The answer's <c>Cache-Control</c> as it was before it was marked private (as it is, when it was not).</summary>
    public static StringValues UpstreamCacheControl(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        return http.Features.Get<PrivateAnswer>() is { Marked: true } answer ? answer.Upstream : http.Response.Headers.CacheControl;
    }
}

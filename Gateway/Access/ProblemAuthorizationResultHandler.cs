using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Gateway.Access;

/// <summary>
/// What a refused request gets. A person's browser opening a page (<see cref="BrowserNavigation"/>): not signed in, a
/// <c>302</c> to the sign-in page that comes back here; signed in without the role, a readable 403 page. Anyone else:
/// ASP.NET Core's own challenge and forbid (a bearer scheme adds <c>WWW-Authenticate</c>; the cookie's redirect events
/// only set the status), then the 401 or 403 as problem details, the 403 naming the roles the route needs. Nothing is
/// forwarded in any case. A session cookie the store could not check (<see cref="SessionUnchecked"/>) is a <c>503</c>
/// with <c>Retry-After</c>, for anyone: the caller is not signed out.
/// </summary>
internal sealed class ProblemAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(authorizeResult);

        // A session cookie that could not be checked (Redis away, the session not held here): not signed out, only
        // unverifiable for now; retryable, on another replica too.
        if (authorizeResult.Challenged && SessionUnchecked.On(context))
        {
            context.Response.Headers.CacheControl = "no-store";
            await AccessProblems.SessionUncheckedAsync(context);
            return;
        }

        if (!authorizeResult.Succeeded && BrowserNavigation.Is(context.Request))
        {
            if (authorizeResult.Forbidden && context.User.Identity?.IsAuthenticated == true)
            {
                await AccessPages.ForbiddenAsync(context, RolesOf(policy));
            }
            else
            {
                context.Response.Headers.CacheControl = "no-store";
                context.Response.Redirect(ReturnUrl.SignInPage(ReturnUrl.Of(context.Request)));
            }

            return;
        }

        await _default.HandleAsync(next, context, policy, authorizeResult);
        if (context.Response.HasStarted || authorizeResult.Succeeded)
        {
            return;
        }

        if (authorizeResult.Challenged)
        {
            await AccessProblems.UnauthorizedAsync(context);
        }
        else if (authorizeResult.Forbidden)
        {
            await AccessProblems.ForbiddenAsync(context, RolesOf(policy));
        }
    }

    /// <summary>The roles that satisfy <paramref name="policy"/> (its role-claim requirements), for the refusal to name.</summary>
    internal static IReadOnlyCollection<string> RolesOf(AuthorizationPolicy policy)
        => [.. policy.Requirements.OfType<ClaimsAuthorizationRequirement>()
            .Where(requirement => requirement.ClaimType == AccessClaims.Role)
            .SelectMany(requirement => requirement.AllowedValues ?? [])
            .Distinct(StringComparer.Ordinal)];
}

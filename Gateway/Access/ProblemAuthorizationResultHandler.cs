using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Gateway.Access;

/// <summary>
/// ASP.NET Core's own challenge and forbid (a bearer scheme adds <c>WWW-Authenticate</c>; the cookie's redirect events
/// only set the status), then the 401 or 403 as problem details. Nothing is forwarded either way.
/// </summary>
internal sealed class ProblemAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(authorizeResult);

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
            await AccessProblems.ForbiddenAsync(context);
        }
    }
}

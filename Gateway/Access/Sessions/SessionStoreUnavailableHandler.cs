using Gateway.Hosting;
using Microsoft.AspNetCore.Diagnostics;

namespace Gateway.Access;

/// <summary>
/// A session that cannot be written (Redis away) wherever a sign-in happens — the password form handles it itself, the
/// OpenID Connect callback does not — is a <c>503</c> problem ("try again later"), never the generic 500.
/// </summary>
internal sealed class SessionStoreUnavailableHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);

        if (exception is not SessionStoreUnavailableException || httpContext.Response.HasStarted)
        {
            return false;
        }

        await GatewayProblems.WriteAsync(httpContext, StatusCodes.Status503ServiceUnavailable, "Sign-in is unavailable",
            "Sessions cannot be created right now. Try again later.");
        return true;
    }
}

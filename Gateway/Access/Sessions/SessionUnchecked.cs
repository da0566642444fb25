namespace Gateway.Access;

/// <summary>
/// Set on a request whose session cookie could not be checked: Redis unreachable (or failing) and the session not held
/// in this replica's memory. Such a caller is not signed out, only unverifiable for now: a route that needs sign-in
/// answers <c>503</c> with <c>Retry-After</c> (<see cref="ProblemAuthorizationResultHandler"/>), which a load balancer
/// retries on another replica (one that holds the session in memory may serve it), instead of a <c>401</c> that sends a
/// person to the sign-in page. Open routes are not affected: the caller is simply anonymous there.
/// </summary>
internal sealed class SessionUnchecked
{
    private static readonly SessionUnchecked Instance = new();

    public static void Mark(HttpContext? context) => context?.Features.Set(Instance);

    public static bool On(HttpContext context) => context.Features.Get<SessionUnchecked>() is not null;
}

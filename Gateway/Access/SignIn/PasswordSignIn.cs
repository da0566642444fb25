using System.Text.Json;
using Gateway.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Features;

namespace Gateway.Access;

/// <summary>
/// <c>POST /auth/login</c>: Strapi's users sign in with their identifier and password, checked against Strapi's
/// users-permissions. Two callers, one check: a browser's form (<c>application/x-www-form-urlencoded</c>, from this
/// origin only) gets <c>303</c> to its <c>returnUrl</c>, or the sign-in page again with the reason; a script's JSON
/// gets <c>204</c>, or a problem. The body is bounded (<see cref="MaxBodyBytes"/>, the endpoint's BodyLimit) as it is read.
/// The limits, shared by every replica through Redis (one round trip, <see cref="SharedCounters"/>), come before Strapi
/// is asked for the password: sign-ins per client, then failures for the account (its username and email are one:
/// <see cref="AccountResolver"/>) from this client, then the account's failures from everywhere, beyond which the
/// account is slowed down rather than locked. Each try counts as a failure until it succeeds, so a concurrent burst
/// cannot pass more than the limit. Every 401 answers no sooner than <see cref="RateLimitOptions.FailureAnswerTime"/>
/// after the request arrived, whether the account exists or not.
/// </summary>
internal static partial class PasswordSignIn
{
    /// <summary>An identifier and a password fit many times over; a larger body is refused (413) before it is read.</summary>
    internal const long MaxBodyBytes = 16 * 1024;

    private static readonly FormOptions FormLimits = new()
    {
        ValueCountLimit = 8,
        KeyLengthLimit = 64,
        ValueLengthLimit = (int)MaxBodyBytes,
        MultipartBodyLengthLimit = MaxBodyBytes,
    };

    public static async Task HandleAsync(HttpContext context, StrapiUsersClient strapi, SharedCounters counters, AccountResolver accounts,
        AccessMetrics metrics, ILoggerFactory loggers, TimeProvider clock, Microsoft.Extensions.Options.IOptionsMonitor<AccessOptions> options)
    {
        var arrived = clock.GetTimestamp();
        var request = context.Request;

        var form = request.HasFormContentType;
        if (form && !CrossSiteGuard.FromThisOrigin(request))
        {
            await AccessProblems.CrossSiteAsync(context);
            return;
        }

        if (!form && !request.HasJsonContentType())
        {
            await GatewayProblems.WriteAsync(context, StatusCodes.Status415UnsupportedMediaType, "The body must be JSON or a form",
                "Send Content-Type: application/json with {\"identifier\",\"password\"}.");
            return;
        }

        SignInRequest? body;
        var returnUrl = ReturnUrl.Home;
        try
        {
            if (form)
            {
                var fields = await new FormFeature(request, FormLimits).ReadFormAsync(context.RequestAborted);
                body = new SignInRequest(fields["identifier"].ToString(), fields["password"].ToString());
                returnUrl = ReturnUrl.From(fields[ReturnUrl.Parameter]);
            }
            else
            {
                body = await request.ReadFromJsonAsync(AccessJsonContext.Default.SignInRequest, context.RequestAborted);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await GatewayProblems.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "The body is too large",
                $"A sign-in body is at most {MaxBodyBytes} bytes.");
            return;
        }
        catch (Exception e) when (e is JsonException or InvalidDataException)
        {
            body = null;
        }

        var reply = new Reply(context, form ? returnUrl : null, body?.Identifier, clock);
        if (string.IsNullOrWhiteSpace(body?.Identifier) || string.IsNullOrEmpty(body.Password))
        {
            await reply.FailAsync(StatusCodes.Status400BadRequest, "Identifier and password are required",
                form ? "Enter your email or username and your password." : "Send {\"identifier\":\"…\",\"password\":\"…\"}.");
            return;
        }

        var logger = loggers.CreateLogger(typeof(PasswordSignIn));
        var identifier = body.Identifier.Trim().ToLowerInvariant();
        var client = context.Connection.RemoteIpAddress;
        StrapiUser? user = null;
        SignInKeys keys;
        try
        {
            var account = await accounts.ResolveAsync(strapi, body.Identifier, context.RequestAborted);
            keys = SignInKeys.For(RateLimitSetup.ClientOf(context), account.Key);
            var verdict = await counters.BeginSignInAsync(keys);
            if (!verdict.IsAllowed)
            {
                metrics.SignInFailed("locked");
                LogLocked(logger, identifier, client, verdict.Refusal);
                await reply.TooManyAsync(verdict.RetryAfter);
                return;
            }

            // An identifier Strapi has no user for is refused without asking for its password (the answer time is the same).
            if (account.Exists != false)
            {
                var id = await strapi.CheckCredentialsAsync(body.Identifier.Trim(), body.Password, context.RequestAborted);
                user = id is { } known ? await strapi.GetUserAsync(known, context.RequestAborted) : null;
            }
        }
        catch (HttpRequestException e) when (e.StatusCode == System.Net.HttpStatusCode.TooManyRequests)
        {
            // Strapi's own limiter (USERS_PERMISSIONS_RATELIMIT) refused: pass the refusal on.
            await reply.TooManyAsync(TimeSpan.FromMinutes(1));
            return;
        }
        catch (HttpRequestException)
        {
            await reply.FailAsync(StatusCodes.Status502BadGateway, "Sign-in is unavailable", "Strapi could not be reached. Try again later.");
            return;
        }
        catch (TaskCanceledException) when (!context.RequestAborted.IsCancellationRequested)
        {
            await reply.FailAsync(StatusCodes.Status504GatewayTimeout, "Sign-in is unavailable", "Strapi did not answer in time. Try again later.");
            return;
        }
        catch (JsonException)
        {
            await reply.FailAsync(StatusCodes.Status502BadGateway, "Sign-in is unavailable", "Strapi's answer was not understood.");
            return;
        }

        if (user is null || user.Blocked)
        {
            metrics.SignInFailed("credentials");
            LogFailed(logger, identifier, client);
            var wait = options.CurrentValue.RateLimits.FailureAnswerTime - clock.GetElapsedTime(arrived);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, clock, context.RequestAborted);
            }

            await reply.FailAsync(StatusCodes.Status401Unauthorized, "Sign-in failed", "The identifier or the password is wrong.");
            return;
        }

        counters.SignInSucceeded(keys);

        try
        {
            await context.SignInAsync(AccessSchemes.Session, AccessPrincipal.FromStrapi(AccessSchemes.Session, user));
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            // The cookie cannot be sealed: data protection cannot read its key ring (Redis down), and said so in its log.
            LogSessionStoreDown(logger, identifier);
            await reply.FailAsync(StatusCodes.Status503ServiceUnavailable, "Sign-in is unavailable", "Sessions cannot be created right now. Try again later.");
            return;
        }
        catch (SessionStoreUnavailableException)
        {
            // Redis, where sessions live, is unreachable: the outage is logged once by SessionSignal.
            await reply.FailAsync(StatusCodes.Status503ServiceUnavailable, "Sign-in is unavailable", "Sessions cannot be created right now. Try again later.");
            return;
        }

        context.Response.Headers.CacheControl = "no-store";
        if (form)
        {
            SignInEndpoints.SeeOther(context.Response, returnUrl);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>A refusal as the caller reads it: the sign-in page again (a form, <paramref name="ReturnUrl"/> set) or a problem.</summary>
    private readonly record struct Reply(HttpContext Context, string? ReturnUrl, string? Identifier, TimeProvider Clock)
    {
        public Task FailAsync(int status, string title, string detail)
            => ReturnUrl is null
                ? GatewayProblems.WriteAsync(Context, status, title, detail).AsTask()
                : AccessPages.SignInAsync(Context, status, ReturnUrl, Identifier, detail);

        public Task TooManyAsync(TimeSpan retryAfter)
        {
            if (ReturnUrl is null)
            {
                return AccessProblems.TooManyAsync(Context, retryAfter).AsTask();
            }

            return LockedPageAsync(Context, retryAfter, ReturnUrl, Identifier, Clock);
        }
    }

    /// <summary>The sign-in page saying when to try again (<c>429</c>, <c>Retry-After</c>): too many failures, or too many tries.</summary>
    private static Task LockedPageAsync(HttpContext context, TimeSpan retryAfter, string returnUrl, string? identifier, TimeProvider clock)
    {
        var seconds = AccessProblems.SetRetryAfter(context.Response, retryAfter);
        var at = clock.GetUtcNow().AddSeconds(seconds);
        var wait = seconds < 120 ? $"{seconds} seconds" : $"{(seconds + 59) / 60} minutes";
        return AccessPages.SignInAsync(context, StatusCodes.Status429TooManyRequests, returnUrl, identifier,
            $"Too many sign-in attempts. Try again in {wait} (at {at:HH:mm} UTC).");
    }

    [LoggerMessage(EventId = 9101, Level = LogLevel.Warning, Message = "Sign-in failed for {Identifier} from {Client}")]
    private static partial void LogFailed(ILogger logger, string identifier, System.Net.IPAddress? client);

    [LoggerMessage(EventId = 9103, Level = LogLevel.Warning, Message = "Sign-in of {Identifier} refused: the session keys (data protection, in Redis) cannot be read")]
    private static partial void LogSessionStoreDown(ILogger logger, string identifier);

    [LoggerMessage(EventId = 9102, Level = LogLevel.Warning, Message = "Sign-in refused for {Identifier} from {Client}: too many tries ({Limit})")]
    private static partial void LogLocked(ILogger logger, string identifier, System.Net.IPAddress? client, LimitRefusal limit);
}

using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Gateway.Access;

/// <summary>
/// ASP.NET Core's rate limiter, per client address (the connection's, or the one a trusted proxy forwarded): the
/// policies routes name (<c>RateLimiterPolicy</c> in <c>yarp.json</c>, <c>RequireRateLimiting</c> on endpoints), plus a
/// global limiter that caps CSV exports over all clients. Over a limit: a 429 problem with <c>Retry-After</c>.
/// </summary>
internal sealed class RateLimitSetup(IOptions<AccessOptions> access) : IConfigureOptions<RateLimiterOptions>
{
    private const string AllClients = "all";

    public void Configure(RateLimiterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        var limits = access.Value.RateLimits;
        options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        // Sign-ins and admin calls are counted in Redis, shared by every replica (PasswordSignIn, AdminCallLimit); these
        // policies stay so endpoints and yarp.json can name them (the sign-in one as a per-replica window, should a route name it).
        options.AddPolicy(AccessPolicies.SignInLimit, context => PerClientWindow(context, limits.SignInPerClient, limits.Window));
        options.AddPolicy(AccessPolicies.AdminLimit, _ => RateLimitPartition.GetNoLimiter(AllClients));
        options.AddPolicy(AccessPolicies.CsvExportLimit, context => RateLimitPartition.GetConcurrencyLimiter(ClientOf(context),
            _ => new ConcurrencyLimiterOptions { PermitLimit = limits.CsvExportsPerClient, QueueLimit = 0 }));

        // Runs before the route's own policy. A CSV export also needs one of the permits shared by every client; any
        // other request passes through a no-op partition (admin-key guesses are AdminCallLimit's).
        options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
        {
            var policy = context.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName;
            if (policy == AccessPolicies.CsvExportLimit)
            {
                return RateLimitPartition.GetConcurrencyLimiter(AccessPolicies.CsvExportLimit,
                    _ => new ConcurrencyLimiterOptions { PermitLimit = limits.CsvExportsTotal, QueueLimit = 0 });
            }

            return RateLimitPartition.GetNoLimiter(AllClients);
        });

        options.OnRejected = async (context, _) =>
        {
            // Sign-in is limited by the shared counters instead (PasswordSignIn answers a person's form with the page).
            var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(1);
            await AccessProblems.TooManyAsync(context.HttpContext, retryAfter);
        };
    }

    private static RateLimitPartition<string> PerClientWindow(HttpContext context, int permits, TimeSpan window)
        => RateLimitPartition.GetFixedWindowLimiter(ClientOf(context),
            _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = window, QueueLimit = 0 });

    internal static string ClientOf(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}

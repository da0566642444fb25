namespace Gateway.Access;

/// <summary>Names of the authorization, CORS and rate-limiter policies that routes refer to (in <c>yarp.json</c> too).</summary>
internal static class AccessPolicies
{
    public const string Reader = "reader";

    public const string Editor = "editor";

    public const string Admin = "admin";

    /// <summary>YARP's own value: the route is open to everyone.</summary>
    public const string Anonymous = "anonymous";

    /// <summary>The one CORS policy, from <c>Access:Cors:AllowedOrigins</c>.</summary>
    public const string Cors = "gateway";

    /// <summary>Rate limiter: sign-in attempts per client.</summary>
    public const string SignInLimit = "sign-in";

    /// <summary>Rate limiter: admin API calls (and admin-key guesses) per client.</summary>
    public const string AdminLimit = "admin";

    /// <summary>Rate limiter: CSV exports at a time per client, under a cap over all clients.</summary>
    public const string CsvExportLimit = "csv-export";
}

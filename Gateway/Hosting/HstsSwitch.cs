namespace Gateway.Hosting;

/// <summary>
/// Whether the gateway sends <c>Strict-Transport-Security</c> itself. Section <c>Hsts</c>, which also holds ASP.NET Core's
/// own <see cref="Microsoft.AspNetCore.HttpsPolicy.HstsOptions"/> (<c>MaxAge</c>, <c>IncludeSubDomains</c>, <c>Preload</c>).
/// </summary>
public sealed class HstsSwitch
{
    public const string SectionName = "Hsts";

    /// <summary>Off by default: HSTS belongs to whoever terminates TLS, and a gateway behind a TLS proxy sees plain HTTP.</summary>
    public bool Enabled { get; set; }
}

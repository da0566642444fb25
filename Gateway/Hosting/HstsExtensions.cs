using Microsoft.AspNetCore.HttpsPolicy;
using Microsoft.Extensions.Options;

namespace Gateway.Hosting;

internal static class HstsExtensions
{
    /// <summary>The <c>Hsts</c> section: the switch, and ASP.NET Core's <see cref="HstsOptions"/> bound from the same keys.</summary>
    public static IServiceCollection AddGatewayHsts(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);

        services.AddOptions<HstsSwitch>().BindConfiguration(HstsSwitch.SectionName).ValidateOnStart();
        services.AddOptions<HstsOptions>().BindConfiguration(HstsSwitch.SectionName)
            .Validate(o => o.MaxAge >= TimeSpan.Zero, "Hsts:MaxAge must not be negative.")
            .ValidateOnStart();
        return services;
    }

    /// <summary>
    /// When <c>Hsts:Enabled</c>: ASP.NET Core's HSTS middleware, which adds the header to answers to HTTPS requests only
    /// (and not for the hosts in <see cref="HstsOptions.ExcludedHosts"/>: localhost and loopback by default).
    /// </summary>
    public static WebApplication UseGatewayHsts(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        if (app.Services.GetRequiredService<IOptions<HstsSwitch>>().Value.Enabled)
        {
            app.UseHsts();
        }

        return app;
    }
}

using Microsoft.Extensions.Options;

namespace Gateway.Access;

/// <summary>With an authority set, everything else OpenID Connect needs must be there too, checked at start-up.</summary>
internal sealed class OidcAccessOptionsValidator : IValidateOptions<OidcAccessOptions>
{
    public ValidateOptionsResult Validate(string? name, OidcAccessOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        var failures = new List<string>();
        if (!Uri.TryCreate(options.Authority, UriKind.Absolute, out var authority) || authority.Scheme is not ("https" or "http"))
        {
            failures.Add("Access:Oidc:Authority must be the provider's absolute issuer URL.");
        }
        else if (options.RequireHttpsMetadata && authority.Scheme != Uri.UriSchemeHttps)
        {
            failures.Add("Access:Oidc:Authority must be https (Access:Oidc:RequireHttpsMetadata is true).");
        }

        if (string.IsNullOrWhiteSpace(options.ClientId) || string.IsNullOrWhiteSpace(options.ClientSecret))
        {
            failures.Add("Access:Oidc:ClientId and Access:Oidc:ClientSecret are required with Access:Oidc:Authority.");
        }

        if (string.IsNullOrWhiteSpace(options.Audience))
        {
            failures.Add("Access:Oidc:Audience (the aud of the provider's access tokens for the gateway) is required with Access:Oidc:Authority.");
        }

        if (string.IsNullOrWhiteSpace(options.RoleClaim))
        {
            failures.Add("Access:Oidc:RoleClaim must name the claim that lists roles.");
        }

        if (options.ClockSkew < TimeSpan.Zero || options.ClockSkew > TimeSpan.FromMinutes(10))
        {
            failures.Add("Access:Oidc:ClockSkew must be between 0 and 10 minutes.");
        }

        if (options.BackchannelTimeout <= TimeSpan.Zero || options.BackchannelTimeout > TimeSpan.FromMinutes(1))
        {
            failures.Add("Access:Oidc:BackchannelTimeout must be between 0 and 1 minute.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

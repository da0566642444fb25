using System.ComponentModel.DataAnnotations;

namespace Gateway.Strapi;

/// <summary>Where Strapi lives and how the gateway speaks to it. Section <c>Strapi</c>.</summary>
public sealed class StrapiOptions
{
    public const string SectionName = "Strapi";

    /// <summary>The id of the Strapi cluster in <c>yarp.json</c>; its destination is <see cref="BaseUrl"/>.</summary>
    public const string ClusterId = "strapi";

    /// <summary>Strapi's origin, e.g. <c>http://127.0.0.1:1337/</c>.</summary>
    [Required]
    public Uri? BaseUrl { get; set; }

    /// <summary>The full-access API token the gateway adds to every request to Strapi. A secret: never logged.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Strapi:Token is not set (environment variable Strapi__Token or user-secrets).")]
    public string Token { get; set; } = "";

    /// <summary>Largest JSON body accepted on create and update; a larger one is refused with 413.</summary>
    [Range(1, 64 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>How long the readiness probe waits for Strapi's <c>/_health</c>.</summary>
    public TimeSpan HealthTimeout { get; set; } = TimeSpan.FromSeconds(2);
}

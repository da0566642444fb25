using System.ComponentModel.DataAnnotations;

namespace Gateway.Frontend;

/// <summary>The Next.js dashboard that receives every path the gateway does not answer. Section <c>Frontend</c>.</summary>
public sealed class FrontendOptions
{
    public const string SectionName = "Frontend";

    /// <summary>The id of the frontend cluster in <c>yarp.json</c>; its destination is <see cref="BaseUrl"/>.</summary>
    public const string ClusterId = "frontend";

    [Required]
    public Uri? BaseUrl { get; set; }
}

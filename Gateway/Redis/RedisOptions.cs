using System.ComponentModel.DataAnnotations;

namespace Gateway.Redis;

/// <summary>The Redis server shared by every gateway replica. Section <c>Redis</c>.</summary>
public sealed class RedisOptions
{
    public const string SectionName = "Redis";

    /// <summary>A StackExchange.Redis configuration string, e.g. <c>127.0.0.1:6379</c>.</summary>
    [Required(AllowEmptyStrings = false)]
    public string Configuration { get; set; } = "127.0.0.1:6379";

    /// <summary>Connect and synchronous-operation timeout.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);
}

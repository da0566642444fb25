using StackExchange.Redis;

namespace Gateway.Access;

/// <summary>Every Redis key and channel of sessions and of the shared security counters, defined here and nowhere else.</summary>
internal static class SessionKeys
{
    private const string Prefix = "gateway:session:";

    /// <summary>A session's hash (<see cref="SessionFields"/>), expiring with the session.</summary>
    public static RedisKey Session(string id) => Prefix + id;

    /// <summary>The set of a user's session ids (the user: lower-case email, else <c>source:subject</c>).</summary>
    public static RedisKey UserIndex(string user) => Prefix + "user:" + user;

    /// <summary>Session ids ended (space-separated): every replica drops them from memory.</summary>
    public static readonly RedisChannel Revoked = RedisChannel.Literal("gateway:session:revoked");

    /// <summary>A user changed in Strapi (<c>strapi:{id}</c>): every replica drops what it holds of that user.</summary>
    public static readonly RedisChannel UserChanged = RedisChannel.Literal("gateway:access:user-changed");

    /// <summary>A shared security counter (see <see cref="SharedCounters"/>).</summary>
    public static RedisKey Counter(string name) => "gateway:limits:" + name;
}

/// <summary>The fields of a session's hash.</summary>
internal static class SessionFields
{
    public const string Ticket = "ticket";
    public const string User = "user";
    public const string Created = "created";
    public const string LastSeen = "seen";
    public const string Client = "client";
    public const string Method = "method";
    public const string Checked = "checked";
}

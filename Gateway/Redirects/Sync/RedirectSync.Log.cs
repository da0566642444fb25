using StackExchange.Redis;

namespace Gateway.Redirects;

/// <summary>The sync's log lines.</summary>
internal sealed partial class RedirectSync
{
    [LoggerMessage(EventId = 4020, Level = LogLevel.Error, Message = "Redirect table sync failed unexpectedly; retrying")]
    private static partial void LogUnexpected(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4010, Level = LogLevel.Information, Message = "Redirect table loaded from Redis: {Count} entries in {Milliseconds:0} ms")]
    private static partial void LogLoaded(ILogger logger, int count, double milliseconds);

    [LoggerMessage(EventId = 4011, Level = LogLevel.Warning, Message = "Redirect table not reloaded ({Error}): still serving the last one, {Count} entries; retrying")]
    private static partial void LogResyncFailed(ILogger logger, int count, string error);

    [LoggerMessage(EventId = 4012, Level = LogLevel.Debug, Message = "Redirect {Key} re-read from Redis (served: {Served})")]
    private static partial void LogRefreshed(ILogger logger, string key, bool served);

    [LoggerMessage(EventId = 4013, Level = LogLevel.Warning, Message = "{Count} changed redirects ({Key}…) could not be read ({Error}); the next check reloads the table")]
    private static partial void LogRefreshFailed(ILogger logger, int count, string key, string error);

    [LoggerMessage(EventId = 4014, Level = LogLevel.Information, Message = "Redis {Connection} connection restored: reloading the redirect table")]
    private static partial void LogReconnected(ILogger logger, ConnectionType connection);

    [LoggerMessage(EventId = 4050, Level = LogLevel.Information, Message = "Redis configuration changed at {Endpoint} (a failover?): reloading the redirect table")]
    private static partial void LogConfigurationChanged(ILogger logger, string? endpoint);

    [LoggerMessage(EventId = 4051, Level = LogLevel.Warning, Message = "Keyspace subscription was on {Endpoint}, now a replica: moved to the primary")]
    private static partial void LogSubscriptionMoved(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 4015, Level = LogLevel.Warning, Message = "Keyspace notifications could not be enabled ({Reason}): redirect edits show at the next full reload, every {Interval}. Set notify-keyspace-events to K$gxe on the Redis server.")]
    private static partial void LogNotificationsUnavailable(ILogger logger, string reason, TimeSpan interval);

    [LoggerMessage(EventId = 4021, Level = LogLevel.Debug, Message = "Redirect table checked: nothing missed, its {Count} entries the same as Redis's")]
    private static partial void LogChecked(ILogger logger, int count);

    [LoggerMessage(EventId = 4022, Level = LogLevel.Warning, Message = "Redirect table may have missed edits ({Reason}): reloading it")]
    private static partial void LogCheckFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 4016, Level = LogLevel.Information, Message = "Redirect table was empty: imported {Count} entries from {Path}")]
    private static partial void LogSeeded(ILogger logger, int count, string path);

    [LoggerMessage(EventId = 4017, Level = LogLevel.Warning, Message = "Seed file {Path}: entry skipped, {Problem}")]
    private static partial void LogSeedProblem(ILogger logger, string path, string problem);

    [LoggerMessage(EventId = 4018, Level = LogLevel.Warning, Message = "Seed file {Path} could not be read: {Reason}")]
    private static partial void LogSeedUnreadable(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 4023, Level = LogLevel.Warning, Message = "Redis lost the redirect table (this gateway's marker key is gone: FLUSHALL, FLUSHDB or a restart without its data); reloading, {Count} entries served until then")]
    private static partial void LogDataLost(ILogger logger, int count);

    [LoggerMessage(EventId = 4024, Level = LogLevel.Information, Message = "Redirect table in Redis is empty but had entries before ({SeededKey} exists): the seed file is not imported again")]
    private static partial void LogNotReseeded(ILogger logger, string seededKey);

    [LoggerMessage(EventId = 4019, Level = LogLevel.Information, Message = "No seed file {File}: the redirect table starts empty")]
    private static partial void LogNoSeed(ILogger logger, string file);
}

namespace Gateway.Redirects;

/// <summary>
/// The audit lines of the table's changes, one line each: an entry's before and after as its JSON (as stored), an
/// import's who, mode, counts and deleted keys (the first <see cref="ListedKeys"/>, then how many more).
/// </summary>
internal static partial class RedirectChangeLog
{
    public const int ListedKeys = 20;

    /// <summary>What "before" reads when the entry is new.</summary>
    private const string None = "(none)";

    /// <summary>What "after" reads when the entry was deleted.</summary>
    private const string Deleted = "(deleted)";

    public static void Set(ILogger logger, string key, RedirectAuthor author, RedirectEntry? before, RedirectEntry after)
    {
        if (!logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        var beforeText = before is null ? None : RedisRedirectStore.Serialize(before);
        var afterText = RedisRedirectStore.Serialize(after);
        LogChanged(logger, key, author.Name, author.Origin, beforeText, afterText);
    }

    /// <summary>An entry deleted; <paramref name="before"/> is what Redis held, as stored.</summary>
    public static void Removed(ILogger logger, string key, RedirectAuthor author, string before)
        => LogChanged(logger, key, author.Name, author.Origin, before, Deleted);

    public static void Imported(ILogger logger, RedirectAuthor author, ImportMode mode, int written, IReadOnlyList<string> deleted)
    {
        if (!logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        var name = NameOf(mode);
        var keys = KeyList(deleted);
        LogImported(logger, author.Name, author.Origin, name, written, deleted.Count, keys);
    }

    public static void ImportRefused(ILogger logger, RedirectAuthor author, ImportMode mode, int problems)
    {
        var name = NameOf(mode);
        LogImportRefused(logger, author.Name, author.Origin, name, problems);
    }

    /// <summary><c>/a, /b</c>, <c>none</c>, or the first <see cref="ListedKeys"/> and <c>and N more</c>.</summary>
    public static string KeyList(IReadOnlyList<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return keys.Count switch
        {
            0 => "none",
            <= ListedKeys => string.Join(", ", keys),
            _ => string.Join(", ", keys.Take(ListedKeys)) + " and " + (keys.Count - ListedKeys).ToString(System.Globalization.CultureInfo.InvariantCulture) + " more",
        };
    }

    /// <summary>The mode as the admin API's <c>?mode=</c> and the CLI name it.</summary>
    private static string NameOf(ImportMode mode) => mode switch
    {
        ImportMode.Replace => "replace",
        ImportMode.Seed => "seed",
        _ => "merge",
    };

    [LoggerMessage(EventId = 9131, Level = LogLevel.Information, Message = "Redirect {Key} changed by {Author} from {Client}: {Before} -> {After}")]
    private static partial void LogChanged(ILogger logger, string key, string author, string client, string before, string after);

    [LoggerMessage(EventId = 9132, Level = LogLevel.Information, Message = "Redirect table imported by {Author} from {Client} ({Mode}): {Written} written, {Deleted} deleted: {DeletedKeys}")]
    private static partial void LogImported(ILogger logger, string author, string client, string mode, int written, int deleted, string deletedKeys);

    [LoggerMessage(EventId = 9133, Level = LogLevel.Information, Message = "Redirect table import by {Author} from {Client} ({Mode}) refused: {Problems} problems, nothing written")]
    private static partial void LogImportRefused(ILogger logger, string author, string client, string mode, int problems);
}

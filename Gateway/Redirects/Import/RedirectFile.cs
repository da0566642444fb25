using System.Globalization;
using System.Text;
using System.Text.Json;
using CsvHelper;

namespace Gateway.Redirects;

/// <summary>One entry read from a file: its line, its key (normalised), the entry, or why it could not be read.</summary>
internal sealed record RedirectFileItem(int Line, string Key, RedirectEntry? Entry, string? Problem = null);

/// <summary>The formats a table is imported from and exported to.</summary>
internal enum RedirectFileFormat
{
    /// <summary>key → entry: the original's <c>{destination, permanent}</c> or the full entry.</summary>
    Json,

    /// <summary><c>source,target,status,match,keepPath,caseSensitive,preserveQuery,expiresAt</c>, a header line optional.</summary>
    Csv,
}

/// <summary>
/// Reads and writes whole tables: JSON in the original's shape (key → entry, with the full entry's optional fields) and
/// CSV in the shape bulk-redirect services use. Reading never stops at a bad entry: each one comes back with its line and
/// what is wrong, so an import can name them all; only a file that is not JSON or CSV at all throws
/// <see cref="InvalidDataException"/>.
/// </summary>
internal static class RedirectFile
{
    public static readonly string[] CsvColumns = ["source", "target", "status", "match", "keepPath", "caseSensitive", "preserveQuery", "expiresAt"];

    public static RedirectFileFormat FormatOf(string fileName)
        => fileName.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? RedirectFileFormat.Csv : RedirectFileFormat.Json;

    public static IReadOnlyList<RedirectFileItem> Read(byte[] content, RedirectFileFormat format)
    {
        ArgumentNullException.ThrowIfNull(content);
        return format == RedirectFileFormat.Csv ? ReadCsv(Encoding.UTF8.GetString(content)) : ReadJson(content);
    }

    private static List<RedirectFileItem> ReadJson(byte[] content)
    {
        var items = new List<RedirectFileItem>();
        var reader = new Utf8JsonReader(content, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new InvalidDataException("expected an object of key → {\"destination\",\"permanent\",…}");
            }

            var line = 1;
            var counted = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                line += content.AsSpan(counted, (int)reader.TokenStartIndex - counted).Count((byte)'\n');
                counted = (int)reader.TokenStartIndex;
                var key = RedirectKey.Normalize(reader.GetString()!);
                reader.Read();
                var value = JsonElement.ParseValue(ref reader);
                try
                {
                    var entry = value.ValueKind == JsonValueKind.Object ? value.Deserialize(RedirectJsonContext.Default.RedirectEntry) : null;
                    items.Add(new RedirectFileItem(line, key, entry, entry is null ? "not an entry object" : null));
                }
                catch (JsonException e)
                {
                    items.Add(new RedirectFileItem(line, key, null, "not an entry: " + e.Message.Split(" Path:", 2)[0]));
                }
            }
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"not JSON (line {e.LineNumber + 1}): {e.Message.Split(" LineNumber:", 2)[0]}", e);
        }

        return items;
    }

    private static List<RedirectFileItem> ReadCsv(string content)
    {
        var items = new List<RedirectFileItem>();
        var options = CsvReaderOptions.Default with { HasHeader = false, TrackLineNumbers = true, SkipEmptyLines = true };
        using var csv = CsvReader.Create(new StringReader(content), options, leaveOpen: false);
        var columns = CsvColumns;
        var first = true;
        try
        {
            while (csv.Read())
            {
                var record = new string[csv.FieldCount];
                for (var i = 0; i < record.Length; i++)
                {
                    record[i] = csv.GetString(i).Trim();
                }

                if (first && record.Length > 0 && record[0].Equals("source", StringComparison.OrdinalIgnoreCase))
                {
                    columns = record;
                    first = false;
                    continue;
                }

                first = false;
                if (record.All(string.IsNullOrEmpty))
                {
                    continue;
                }

                string Cell(string name)
                {
                    var index = Array.FindIndex(columns, column => column.Equals(name, StringComparison.OrdinalIgnoreCase));
                    return index >= 0 && index < record.Length ? record[index] : "";
                }

                var (entry, problem) = ParseCsvEntry(Cell);
                items.Add(new RedirectFileItem((int)csv.LineNumber, RedirectKey.Normalize(Cell("source")), entry, problem));
            }
        }
        catch (CsvFormatException e)
        {
            throw new InvalidDataException("not CSV: " + e.Message, e);
        }

        return items;
    }

    private static (RedirectEntry? Entry, string? Problem) ParseCsvEntry(Func<string, string> cell)
    {
        int? status = null;
        if (cell("status") is { Length: > 0 } statusText)
        {
            if (!int.TryParse(statusText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                return (null, $"status '{statusText}' is not a number");
            }

            status = parsed;
        }

        bool? Flag(string name, out string? problem)
        {
            problem = null;
            var text = cell(name);
            if (text.Length == 0)
            {
                return null;
            }

            if (bool.TryParse(text, out var value))
            {
                return value;
            }

            problem = $"{name} '{text}' is not true or false";
            return null;
        }

        var keepPath = Flag("keepPath", out var p1);
        var caseSensitive = Flag("caseSensitive", out var p2);
        var preserveQuery = Flag("preserveQuery", out var p3);
        if ((p1 ?? p2 ?? p3) is { } flagProblem)
        {
            return (null, flagProblem);
        }

        DateTimeOffset? expiresAt = null;
        if (cell("expiresAt") is { Length: > 0 } expiresText)
        {
            if (!DateTimeOffset.TryParse(expiresText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            {
                return (null, $"expiresAt '{expiresText}' is not a date and time");
            }

            expiresAt = at;
        }

        var match = cell("match") is { Length: > 0 } m ? m.ToLowerInvariant() : null;
        var permanent = status is 301 or 308;
        return (new RedirectEntry(cell("target"), permanent, preserveQuery)
        {
            // 307 and 308 are what "permanent" already says: stored in the original's shorthand.
            Status = status is 307 or 308 ? null : status,
            Match = match == RedirectEntry.ExactMatch ? null : match,
            KeepPath = keepPath,
            CaseSensitive = caseSensitive,
            ExpiresAt = expiresAt,
        }, null);
    }

    public static async Task WriteJsonAsync(Stream output, IEnumerable<KeyValuePair<string, RedirectEntry>> entries, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(entries);
        await using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        foreach (var (key, entry) in entries.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            writer.WritePropertyName(key);
            JsonSerializer.Serialize(writer, entry, RedirectJsonContext.Default.RedirectEntry);
            if (writer.BytesPending > 64 * 1024)
            {
                await writer.FlushAsync(cancel);
            }
        }

        writer.WriteEndObject();
        await writer.FlushAsync(cancel);
    }

    public static void WriteCsv(Stream output, IEnumerable<KeyValuePair<string, RedirectEntry>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        using var csv = CsvWriter.Create(output, Gateway.Csv.CsvRowWriter.Options, leaveOpen: true);
        foreach (var column in CsvColumns)
        {
            csv.WriteField(column);
        }

        csv.EndRecord();
        foreach (var (key, entry) in entries.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            csv.WriteField(key);
            csv.WriteField(entry.Destination);
            csv.WriteField(entry.StatusCode.ToString(CultureInfo.InvariantCulture));
            csv.WriteField(entry.IsPrefix ? RedirectEntry.PrefixMatch : RedirectEntry.ExactMatch);
            csv.WriteField(Text(entry.KeepPath));
            csv.WriteField(Text(entry.CaseSensitive));
            csv.WriteField(Text(entry.PreserveQuery));
            csv.WriteField(entry.ExpiresAt?.ToString("O", CultureInfo.InvariantCulture) ?? "");
            csv.EndRecord();
        }

        csv.Flush();
    }

    private static string Text(bool? value) => value switch { true => "true", false => "false", null => "" };
}

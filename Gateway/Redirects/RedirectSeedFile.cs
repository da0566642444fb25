using System.Text.Json;

namespace Gateway.Redirects;

/// <summary>Reads <c>redirects.json</c>: the original's format, key → <c>{destination, permanent}</c>.</summary>
internal static class RedirectSeedFile
{
    /// <summary>The file's entries with their keys normalised (<c>-api-v1-revenues</c> → <c>/api/v1/revenues</c>).</summary>
    public static async Task<IReadOnlyList<KeyValuePair<string, RedirectEntry?>>> ReadAsync(string path, CancellationToken cancel)
    {
        await using var file = File.OpenRead(path);
        using var document = await JsonDocument.ParseAsync(file, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }, cancel);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"{path}: expected an object of key → {{\"destination\",\"permanent\"}}.");
        }

        var entries = new List<KeyValuePair<string, RedirectEntry?>>();
        foreach (var property in document.RootElement.EnumerateObject())
        {
            RedirectEntry? entry;
            try
            {
                entry = property.Value.Deserialize(RedirectJsonContext.Default.RedirectEntry);
            }
            catch (JsonException)
            {
                entry = null;
            }

            entries.Add(new(RedirectKey.Normalize(property.Name), entry));
        }

        return entries;
    }
}

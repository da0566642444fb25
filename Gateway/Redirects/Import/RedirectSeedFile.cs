namespace Gateway.Redirects;

/// <summary>Reads a table file from disk (<c>redirects.json</c>, or a CSV by its extension), each entry with its line.</summary>
internal static class RedirectSeedFile
{
    public static async Task<IReadOnlyList<RedirectFileItem>> ReadAsync(string path, CancellationToken cancel)
        => RedirectFile.Read(await File.ReadAllBytesAsync(path, cancel), RedirectFile.FormatOf(path));
}

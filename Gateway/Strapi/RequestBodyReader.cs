namespace Gateway.Strapi;

/// <summary>Reads a request body into memory, up to a limit.</summary>
internal static class RequestBodyReader
{
    /// <summary>The whole body, or <c>null</c> as soon as it proves longer than <paramref name="limit"/> bytes.</summary>
    public static async ValueTask<byte[]?> ReadAsync(Stream body, int limit, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(body);

        using var buffer = new MemoryStream();
        var chunk = new byte[Math.Min(limit + 1, 16 * 1024)];
        int read;
        while ((read = await body.ReadAsync(chunk, cancel)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}

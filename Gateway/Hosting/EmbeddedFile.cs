using System.Reflection;

namespace Gateway.Hosting;

/// <summary>A file embedded in the gateway's assembly (the admin page, the sign-in pages): read once, at start.</summary>
internal static class EmbeddedFile
{
    /// <summary>The bytes of <c>{prefix}.{name}</c>; a missing one fails the start, naming it.</summary>
    public static byte[] Read(string prefix, string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(prefix + "." + name)
            ?? throw new InvalidOperationException($"{prefix}.{name} is not embedded in the assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}

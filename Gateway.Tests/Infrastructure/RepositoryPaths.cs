namespace Gateway.Tests.Infrastructure;

internal static class RepositoryPaths
{
    /// <summary>The checkout's root: the directory above the test binary that holds gateway.sln.</summary>
    public static string Root { get; } = FindRoot();

    public static string File(string relative) => Path.GetFullPath(Path.Combine(Root, relative));

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(directory.FullName, "gateway.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("gateway.sln not found above the test binary.");
    }
}

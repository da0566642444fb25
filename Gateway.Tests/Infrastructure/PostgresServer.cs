using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// Debian's PostgreSQL (package <c>postgresql</c>) on a free 127.0.0.1 port: a fresh cluster in a temporary directory
/// with a database and user for Strapi, for the end-to-end tests run with <c>E2E_DATABASE=postgres</c>
/// (<see cref="StrapiServer"/>). PostgreSQL refuses to run as root, so as root it runs as the <c>postgres</c> user the
/// package made. Durability is off (fsync, synchronous commit): a test database.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    /// <summary>The environment variable that puts the end-to-end tests' Strapi on PostgreSQL (<c>postgres</c>) instead of SQLite.</summary>
    public const string DatabaseSetting = "E2E_DATABASE";

    private const string Name = "strapi";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly ServerProcess _process;
    private readonly string _directory;

    private PostgresServer(ServerProcess process, int port, string password, string directory)
    {
        _process = process;
        Port = port;
        Password = password;
        _directory = directory;
    }

    public int Port { get; }

    public string Password { get; }

    /// <summary>True when <see cref="DatabaseSetting"/> asks for PostgreSQL.</summary>
    public static bool Requested => string.Equals(Environment.GetEnvironmentVariable(DatabaseSetting), "postgres", StringComparison.OrdinalIgnoreCase);

    /// <summary>What Strapi's config/database.js reads to use this server.</summary>
    public IReadOnlyDictionary<string, string> StrapiEnvironment => new Dictionary<string, string>
    {
        ["DATABASE_CLIENT"] = "postgres",
        ["DATABASE_HOST"] = "127.0.0.1",
        ["DATABASE_PORT"] = Port.ToString(CultureInfo.InvariantCulture),
        ["DATABASE_NAME"] = Name,
        ["DATABASE_USERNAME"] = Name,
        ["DATABASE_PASSWORD"] = Password,
    };

    public static async Task<PostgresServer> StartAsync()
    {
        var bin = BinDirectory();
        var directory = Directory.CreateTempSubdirectory("gateway-e2e-postgres-").FullName;
        var password = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var passwordFile = Path.Combine(directory, "password");
        await File.WriteAllTextAsync(passwordFile, password + "\n");
        var asRoot = Environment.UserName == "root";
        if (asRoot)
        {
            await RunAsync("chown", "-R", "postgres:postgres", directory);
        }

        var data = Path.Combine(directory, "data");
        await RunAsync(asRoot, Path.Combine(bin, "initdb"), "-D", data, "-U", Name, $"--pwfile={passwordFile}", "--auth=scram-sha-256",
            "-E", "UTF8", "--locale=C", "--no-sync");
        var port = FreePort.Next();
        var start = Command(asRoot, Path.Combine(bin, "postgres"), "-D", data, "-p", port.ToString(CultureInfo.InvariantCulture),
            "-c", "listen_addresses=127.0.0.1", "-c", $"unix_socket_directories={directory}",
            "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off");
        var server = new PostgresServer(ServerProcess.Start(start), port, password, directory);
        try
        {
            await server._process.WaitUntilAsync(new Uri($"http://127.0.0.1:{port}/"), _ => server.AcceptsAsync(), StartTimeout, "PostgreSQL");
            var createdb = new ProcessStartInfo(Path.Combine(bin, "createdb"))
            {
                ArgumentList = { "-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-U", Name, Name },
                Environment = { ["PGPASSWORD"] = password },
            };
            await RunAsync(createdb);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task<bool> AcceptsAsync()
    {
        using var probe = new TcpClient();
        try
        {
            await probe.ConnectAsync("127.0.0.1", Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The newest installed server's programs (/usr/lib/postgresql/{version}/bin).</summary>
    private static string BinDirectory()
    {
        const string root = "/usr/lib/postgresql";
        var bin = Directory.Exists(root)
            ? Directory.GetDirectories(root)
                .Select(path => (Path: Path.Combine(path, "bin"), Version: int.TryParse(Path.GetFileName(path), out var v) ? v : 0))
                .Where(candidate => File.Exists(Path.Combine(candidate.Path, "postgres")))
                .OrderByDescending(candidate => candidate.Version)
                .Select(candidate => candidate.Path)
                .FirstOrDefault()
            : null;
        return bin ?? throw new InvalidOperationException(
            $"PostgreSQL is not installed: {DatabaseSetting}=postgres needs Debian's postgresql (scripts/ensure-packages installs it then).");
    }

    private static ProcessStartInfo Command(bool asPostgres, string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(asPostgres ? "setpriv" : program);
        if (asPostgres)
        {
            foreach (var argument in new[] { "--reuid=postgres", "--regid=postgres", "--init-groups", program })
            {
                start.ArgumentList.Add(argument);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    private static Task RunAsync(string program, params string[] arguments) => RunAsync(Command(false, program, arguments));

    private static Task RunAsync(bool asPostgres, string program, params string[] arguments) => RunAsync(Command(asPostgres, program, arguments));

    private static async Task RunAsync(ProcessStartInfo start)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        using var process = ChildProcesses.Track(Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start."));
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{start.FileName} {string.Join(' ', start.ArgumentList)} failed ({process.ExitCode}): {await output}{await error}");
        }
    }
}

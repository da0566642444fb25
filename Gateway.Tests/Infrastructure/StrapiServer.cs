using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// The repository's real Strapi (strapi/, node modules installed by scripts/strapi-install) on a free loopback port,
/// with a fresh SQLite database in a temporary directory (or, with <c>E2E_DATABASE=postgres</c>, a fresh PostgreSQL
/// database: <see cref="PostgresServer"/>), a known API token, seeded demo data, the gateway's JWT secret and demo
/// users (reader, editor, admin) with known passwords.
/// </summary>
public sealed class StrapiServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);
    private readonly ServerProcess _process;
    private readonly string _dataDirectory;
    private PostgresServer? _postgres;

    private StrapiServer(ServerProcess process, Uri baseUrl, string token, string dataDirectory)
    {
        _process = process;
        BaseUrl = baseUrl;
        Token = token;
        _dataDirectory = dataDirectory;
    }

    /// <summary>The demo users' sign-in names and passwords (users-permissions users with those roles).</summary>
    public const string ReaderEmail = "reader@demo.local";
    public const string EditorEmail = "editor@demo.local";
    public const string AdminEmail = "admin@demo.local";
    public const string ReaderPassword = "reader-Password-1";
    public const string EditorPassword = "editor-Password-1";
    public const string AdminPassword = "admin-Password-1";

    public Uri BaseUrl { get; }

    public string Token { get; }

    /// <summary>
    /// Starts Strapi on <paramref name="port"/> (a free one if none) with <paramref name="token"/> as its API token (a random
    /// one if none) and <paramref name="environment"/> added: a gateway started first can know both.
    /// </summary>
    public static async Task<StrapiServer> StartAsync(
        int seedInvoices, int? port = null, string? token = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var project = RepositoryPaths.File("strapi");
        if (!File.Exists(Path.Combine(project, "node_modules", "@strapi", "strapi", "bin", "strapi.js")))
        {
            throw new InvalidOperationException("Strapi's node modules are not installed: run ./test (it runs scripts/strapi-install first).");
        }

        port ??= FreePort.Next();
        token ??= Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();
        var data = Directory.CreateTempSubdirectory("gateway-e2e-strapi-").FullName;
        var postgres = PostgresServer.Requested ? await PostgresServer.StartAsync() : null;
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = project,
            ArgumentList = { "node_modules/@strapi/strapi/bin/strapi.js", "start" },
            Environment =
            {
                ["NODE_ENV"] = "production",
                ["HOST"] = "127.0.0.1",
                ["PORT"] = port.Value.ToString(CultureInfo.InvariantCulture),
                ["DATABASE_FILENAME"] = Path.Combine(data, "data.db"),
                ["STRAPI_API_TOKEN"] = token,
                ["SEED_INVOICES"] = seedInvoices.ToString(CultureInfo.InvariantCulture),
                ["JWT_SECRET"] = GatewayHost.StrapiJwtSecret,
                ["DEMO_READER_PASSWORD"] = ReaderPassword,
                ["DEMO_EDITOR_PASSWORD"] = EditorPassword,
                ["DEMO_ADMIN_PASSWORD"] = AdminPassword,
            },
        };

        foreach (var (name, value) in (environment ?? new Dictionary<string, string>()).Concat(postgres?.StrapiEnvironment ?? new Dictionary<string, string>()))
        {
            start.Environment[name] = value;
        }

        var baseUrl = new Uri($"http://127.0.0.1:{port}/");
        var server = new StrapiServer(ServerProcess.Start(start), baseUrl, token, data) { _postgres = postgres };
        try
        {
            await server._process.WaitUntilAsync(baseUrl, IsHealthyAsync, StartTimeout, "Strapi");
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>A client that talks to Strapi directly, with the token: to compare with what the gateway answers.</summary>
    public HttpClient CreateDirectClient()
    {
        var client = new HttpClient { BaseAddress = BaseUrl };
        client.DefaultRequestHeaders.Authorization = new("Bearer", Token);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        Directory.Delete(_dataDirectory, recursive: true);
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }

    private static async Task<bool> IsHealthyAsync(HttpClient http)
    {
        using var response = await http.GetAsync("_health");
        return response.StatusCode == HttpStatusCode.NoContent;
    }
}

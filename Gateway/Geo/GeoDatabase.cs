using System.Net;
using MaxMind.Db;
using Gateway.Hosting;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Gateway.Geo;

/// <summary>
/// The country database in MaxMind format, memory-mapped with MaxMind.Db's <see cref="Reader"/>, opened once and opened
/// again when the file changes (replace it by renaming a new file over it, as geoipupdate does). Records of the
/// <c>{country_code}</c> shape (ip-location-db) and of GeoLite2's <c>{country:{iso_code}}</c> are understood.
/// </summary>
internal sealed partial class GeoDatabase : IDisposable
{
    private static readonly TimeSpan RetireDelay = TimeSpan.FromSeconds(30);
    private readonly string? _path;
    private readonly ILogger<GeoDatabase> _logger;
    private readonly PhysicalFileProvider? _files;
    private readonly IDisposable? _watch;
    private volatile Reader? _reader;

    public GeoDatabase(IOptions<GeoOptions> options, IHostEnvironment environment, ILogger<GeoDatabase> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);

        _logger = logger;
        if (string.IsNullOrWhiteSpace(options.Value.DatabasePath))
        {
            return;
        }

        _path = Path.GetFullPath(options.Value.DatabasePath, environment.ContentRootPath);
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        _files = SingleFileWatch.ProviderFor(_path);
        _watch = ChangeToken.OnChange(() => _files.Watch(Path.GetFileName(_path)), Open);
        Open();
    }

    /// <summary>Whether a database is open now.</summary>
    public bool IsOpen => _reader is not null;

    public string? Lookup(IPAddress address)
    {
        var reader = _reader;
        if (reader is null)
        {
            return null;
        }

        try
        {
            var record = reader.Find<Dictionary<string, object>>(address);
            if (record is null)
            {
                return null;
            }

            if (record.TryGetValue("country_code", out var code))
            {
                return CountryCode.Normalize(code as string);
            }

            return record.TryGetValue("country", out var country) && country is Dictionary<string, object> nested
                && nested.TryGetValue("iso_code", out var iso) ? CountryCode.Normalize(iso as string) : null;
        }
        catch (InvalidDatabaseException e)
        {
            LogLookupFailed(_logger, _path!, e.Message);
            return null;
        }
    }

    private void Open()
    {
        Reader? next = null;
        try
        {
            if (File.Exists(_path))
            {
                next = new Reader(_path, FileAccessMode.MemoryMapped);
                LogOpened(_logger, _path!, next.Metadata.DatabaseType, next.Metadata.BuildDate);
            }
            else
            {
                LogMissing(_logger, _path!);
            }
        }
        catch (Exception e) when (e is IOException or InvalidDatabaseException or UnauthorizedAccessException)
        {
            // A half-written file, say: keep the database we had; the next change event tries again.
            LogOpenFailed(_logger, _path!, e.Message);
            return;
        }

        var previous = Interlocked.Exchange(ref _reader, next);
        if (previous is not null)
        {
            // Lookups in flight may still hold the old reader: retire it a little later, not under their feet.
            _ = Task.Delay(RetireDelay).ContinueWith(_ => previous.Dispose(), TaskScheduler.Default);
        }
    }

    public void Dispose()
    {
        _watch?.Dispose();
        _files?.Dispose();
        _reader?.Dispose();
    }

    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "Country database {Path} opened ({Type}, built {BuildDate:yyyy-MM-dd})")]
    private static partial void LogOpened(ILogger logger, string path, string type, DateTime buildDate);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning, Message = "Country database {Path} does not exist: that resolver answers nothing until it appears")]
    private static partial void LogMissing(ILogger logger, string path);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Warning, Message = "Country database {Path} could not be opened ({Reason}); keeping the previous one")]
    private static partial void LogOpenFailed(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Warning, Message = "Country database {Path}: lookup failed ({Reason})")]
    private static partial void LogLookupFailed(ILogger logger, string path, string reason);
}

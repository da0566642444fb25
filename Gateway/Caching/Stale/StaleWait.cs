namespace Gateway.Caching.Stale;

/// <summary>
/// A read that a stale copy could answer waits for Strapi at most <see cref="ResponseCacheOptions.StaleWait"/>, not the
/// cluster's activity timeout: for the forward, <see cref="HttpContext.RequestAborted"/> becomes a token linked to the
/// client's that also fires once the wait is over without Strapi's answer having started and a copy exists (checked
/// then, so a read that no copy could answer waits as before). YARP then gives up as if the client had left;
/// <see cref="GaveUp"/> tells the two apart. A client that leaves still cancels the forward at once. Disposing puts the
/// client's token back.
/// </summary>
internal sealed class StaleWait : IAsyncDisposable
{
    private readonly HttpContext _http;
    private readonly CancellationToken _client;
    private readonly CancellationTokenSource _giveUp;
    private readonly CancellationTokenSource _answered = new();
    private readonly Task _watch;
    private bool _disposed;

    private StaleWait(HttpContext http, StaleCopies copies, string key, TimeSpan wait, TimeProvider time)
    {
        _http = http;
        _client = http.RequestAborted;
        _giveUp = CancellationTokenSource.CreateLinkedTokenSource(_client);
        http.RequestAborted = _giveUp.Token;
        _watch = WatchAsync(copies, key, wait, time);
    }

    /// <summary>Whether the wait ran out with a copy at hand and the forward was cancelled for it.</summary>
    public bool GaveUp { get; private set; }

    public static StaleWait Start(HttpContext http, StaleCopies copies, string key, TimeSpan wait, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(http);
        return new StaleWait(http, copies, key, wait, time);
    }

    /// <summary>Strapi's answer started arriving: the wait is over, however long the rest takes.</summary>
    public void Answered()
    {
        if (!_disposed)
        {
            _answered.Cancel();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _answered.CancelAsync();
        await _watch;
        _http.RequestAborted = _client;
        _giveUp.Dispose();
        _answered.Dispose();
    }

    private async Task WatchAsync(StaleCopies copies, string key, TimeSpan wait, TimeProvider time)
    {
        try
        {
            await Task.Delay(wait, time, _answered.Token);
            if (await copies.ExistsAsync(key, _answered.Token) && !_answered.IsCancellationRequested)
            {
                GaveUp = true;
                await _giveUp.CancelAsync();
            }
        }
        catch (OperationCanceledException)
        {
            // Strapi answered, or the request is over.
        }
    }
}

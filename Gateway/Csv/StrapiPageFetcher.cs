using System.Net;
using System.Text.Json;

namespace Gateway.Csv;

/// <summary>
/// Fetches the pages after the first exactly as YARP fetched page 1: same address but for the page number, same
/// headers (the Strapi token among them), through the cluster's own <see cref="HttpMessageInvoker"/>; each page
/// within <see cref="Timeout"/>, headers and body together.
/// </summary>
internal sealed class StrapiPageFetcher
{
    private readonly HttpMessageInvoker _invoker;
    private readonly Uri _first;
    private readonly Version _version;
    private readonly HttpVersionPolicy _versionPolicy;
    private readonly KeyValuePair<string, string[]>[] _headers;

    public StrapiPageFetcher(HttpMessageInvoker invoker, HttpRequestMessage first, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(invoker);
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(first.RequestUri);

        _invoker = invoker;
        _first = first.RequestUri;
        _version = first.Version;
        _versionPolicy = first.VersionPolicy;
        _headers = [.. first.Headers.Select(header => KeyValuePair.Create(header.Key, header.Value.ToArray()))];
        Timeout = timeout;
    }

    public TimeSpan Timeout { get; }

    /// <summary>Reads page 1 from the response YARP already has.</summary>
    public async Task<PageRead> ReadFirstAsync(HttpResponseMessage response, CancellationToken aborted)
    {
        ArgumentNullException.ThrowIfNull(response);

        return await WithinTimeoutAsync(async cancel =>
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancel);
            return await StrapiPage.ReadAsync(body, cancel);
        }, aborted);
    }

    public Task<PageRead> FetchAsync(int page, CancellationToken aborted)
        => WithinTimeoutAsync(async cancel =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, StrapiPageQuery.ForPage(_first, page))
            {
                Version = _version,
                VersionPolicy = _versionPolicy,
            };
            foreach (var (name, values) in _headers)
            {
                request.Headers.TryAddWithoutValidation(name, values);
            }

            using var response = await _invoker.SendAsync(request, cancel);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new HttpRequestException(HttpRequestError.InvalidResponse, $"Strapi answered {(int)response.StatusCode} to page {page}.", statusCode: response.StatusCode);
            }

            await using var body = await response.Content.ReadAsStreamAsync(cancel);
            return await StrapiPage.ReadAsync(body, cancel);
        }, aborted);

    private async Task<PageRead> WithinTimeoutAsync(Func<CancellationToken, Task<StrapiPage>> read, CancellationToken aborted)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        timeout.CancelAfter(Timeout);
        try
        {
            return new PageRead(await read(timeout.Token), PageFailure.None);
        }
        catch (Exception e) when (e is OperationCanceledException or HttpRequestException or IOException or JsonException)
        {
            var failure = aborted.IsCancellationRequested ? PageFailure.ClientGone
                : timeout.IsCancellationRequested ? PageFailure.TimedOut
                : PageFailure.Failed;
            return new PageRead(null, failure, e);
        }
    }
}

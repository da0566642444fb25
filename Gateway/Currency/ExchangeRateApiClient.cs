using System.Text.Json;

namespace Gateway.Currency;

/// <summary>
/// Typed client of an API in the shape of <c>open.er-api.com</c>:
/// <c>GET v6/latest/USD</c> → <c>{"result":"success","time_last_update_unix":…,"rates":{"EUR":0.86,…}}</c>.
/// Base address and timeout come from <see cref="RateApiOptions"/>.
/// </summary>
internal sealed partial class ExchangeRateApiClient(HttpClient http, ILogger<ExchangeRateApiClient> logger)
{
    internal const string LatestPath = "v6/latest/";

    /// <summary>The client's resilience pipeline (timeout, circuit breaker), named for its telemetry.</summary>
    internal const string PipelineName = "rate-api";

    /// <summary>The rates, or <c>null</c> when the API answered something other than a successful rate table.</summary>
    /// <exception cref="HttpRequestException">The API could not be reached.</exception>
    /// <exception cref="TaskCanceledException">The API did not answer within the timeout.</exception>
    public async Task<ApiRates?> GetLatestAsync(string baseCurrency, CancellationToken cancel)
    {
        ArgumentException.ThrowIfNullOrEmpty(baseCurrency);

        using var response = await http.GetAsync(new Uri(LatestPath + Uri.EscapeDataString(baseCurrency), UriKind.Relative), cancel);
        if (!response.IsSuccessStatusCode)
        {
            LogStatus(logger, (int)response.StatusCode);
            return null;
        }

        var body = await response.Content.ReadAsByteArrayAsync(cancel);
        var rates = Parse(body);
        if (rates is null)
        {
            LogUnreadable(logger);
        }

        return rates;
    }

    /// <summary>Reads the API's answer token by token; <c>null</c> unless it is an object with result "success" and a rates object.</summary>
    internal static ApiRates? Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            var success = false;
            DateTimeOffset? asOf = null;
            Dictionary<string, decimal>? rates = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("result"u8))
                {
                    reader.Read();
                    success = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("success"u8);
                }
                else if (reader.ValueTextEquals("time_last_update_unix"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var seconds)
                        && seconds is > 0 and < 253_402_300_799)
                    {
                        asOf = DateTimeOffset.FromUnixTimeSeconds(seconds);
                    }
                }
                else if (reader.ValueTextEquals("rates"u8))
                {
                    reader.Read();
                    rates = ReadRates(ref reader);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            return success && rates is not null ? new ApiRates(asOf, rates) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static Dictionary<string, decimal>? ReadRates(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }

        var rates = new Dictionary<string, decimal>(StringComparer.OrdinalIgnoreCase);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var code = reader.GetString()!;
            reader.Read();
            if (reader.TokenType == JsonTokenType.Number && reader.TryGetDecimal(out var rate) && rate > 0)
            {
                rates[code] = rate;
            }
            else
            {
                reader.Skip();
            }
        }

        return rates;
    }

    [LoggerMessage(EventId = 6001, Level = LogLevel.Warning, Message = "The exchange-rate API answered {Status}")]
    private static partial void LogStatus(ILogger logger, int status);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Warning, Message = "The exchange-rate API answered something other than a rate table")]
    private static partial void LogUnreadable(ILogger logger);
}

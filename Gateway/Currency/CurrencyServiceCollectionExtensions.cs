using Gateway.Hosting;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Currency;

internal static class CurrencyServiceCollectionExtensions
{
    /// <summary>
    /// The currency views' services: options, the rate API's typed client, the Redis distributed cache on the app's one
    /// <see cref="IConnectionMultiplexer"/>, and the rate provider.
    /// </summary>
    public static IServiceCollection AddCurrencyConversion(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);

        services.AddOptions<CurrencyOptions>()
            .BindConfiguration(CurrencyOptions.SectionName)
            .Validate(o => UpstreamUri.IsHttp(o.RateApi.BaseUrl), "Currency:RateApi:BaseUrl must be an absolute http(s) URL.")
            .Validate(o => o.RateApi.Timeout > TimeSpan.Zero, "Currency:RateApi:Timeout must be positive.")
            .Validate(o => o.Freshness > TimeSpan.Zero && o.CacheLifetime >= o.Freshness, "Currency:Freshness must be positive and at most Currency:CacheLifetime.")
            .Validate(o => o.RetryInterval >= TimeSpan.Zero, "Currency:RetryInterval must not be negative.")
            .Validate(o => IsCode(o.BaseCurrency) && !string.IsNullOrWhiteSpace(o.CacheKeyPrefix), "Currency:BaseCurrency must be a 3-letter code and Currency:CacheKeyPrefix set.")
            .Validate(o => o.Fallback.Count > 0 && o.Fallback.All(f => IsCode(f.Key) && f.Value > 0),
                "Currency:Fallback must map 3-letter currency codes to positive rates, e.g. \"EUR\": 0.86.")
            .Validate(o => o.RateBand.Lowest > 0 && o.RateBand.Lowest <= 1 && o.RateBand.Highest >= 1,
                "Currency:RateBand:Lowest must be in (0, 1] and Currency:RateBand:Highest at least 1.")
            .ValidateOnStart();

        // Microsoft.Extensions.Http.Resilience: the call's timeout, and a circuit breaker that stops asking an API that
        // failed twice in a row for the retry interval (at least Polly's 0.5 s). What it cannot do stays in
        // ExchangeRateProvider: answering from the last good rate meanwhile, and refreshing in the background.
        services.AddHttpClient<ExchangeRateApiClient>((sp, http) =>
        {
            var api = sp.GetRequiredService<IOptionsMonitor<CurrencyOptions>>().CurrentValue.RateApi;
            http.BaseAddress = api.BaseUrl;
            http.Timeout = Timeout.InfiniteTimeSpan;
            http.MaxResponseContentBufferSize = 1024 * 1024;
        }).AddResilienceHandler(ExchangeRateApiClient.PipelineName, (pipeline, context) =>
        {
            var settings = context.ServiceProvider.GetRequiredService<IOptions<CurrencyOptions>>().Value;
            pipeline
                .AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
                {
                    FailureRatio = 1.0,
                    MinimumThroughput = 2,
                    SamplingDuration = TimeSpan.FromMinutes(1),
                    BreakDuration = settings.RetryInterval > MinimumBreak ? settings.RetryInterval : MinimumBreak,
                })
                .AddTimeout(settings.RateApi.Timeout);
        });

        services.AddStackExchangeRedisCache(_ => { });
        services.AddOptions<RedisCacheOptions>()
            .Configure<IConnectionMultiplexer>((cache, redis) => cache.ConnectionMultiplexerFactory = () => Task.FromResult(redis));

        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddSingleton<CurrencyMetrics>();
        services.AddSingleton<IExchangeRateProvider, ExchangeRateProvider>();
        return services;
    }

    /// <summary>Polly's least break duration.</summary>
    private static readonly TimeSpan MinimumBreak = TimeSpan.FromMilliseconds(500);

    private static bool IsCode(string? code) => code is { Length: 3 } && code.All(char.IsAsciiLetter);
}

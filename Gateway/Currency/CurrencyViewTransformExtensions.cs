using Yarp.ReverseProxy.Transforms.Builder;

namespace Gateway.Currency;

/// <summary>The currency view as code, for routes built in code rather than in <c>yarp.json</c>.</summary>
internal static class CurrencyViewTransformExtensions
{
    /// <summary>Asks Strapi for the view's fields and page, and rewrites its list into the view in <paramref name="currency"/>.</summary>
    public static TransformBuilderContext AddCurrencyView(this TransformBuilderContext context, string currency, IExchangeRateProvider rates, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrWhiteSpace(currency);
        ArgumentNullException.ThrowIfNull(rates);
        ArgumentNullException.ThrowIfNull(loggers);

        context.RequestTransforms.Add(new CurrencyViewRequestTransform());
        context.ResponseTransforms.Add(new CurrencyViewResponseTransform(
            currency.ToUpperInvariant(), rates, context.Services.GetRequiredService<CurrencyMetrics>(), loggers.CreateLogger<CurrencyViewResponseTransform>()));
        return context;
    }
}

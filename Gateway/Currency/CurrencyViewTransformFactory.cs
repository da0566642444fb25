using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Gateway.Currency;

/// <summary>
/// The currency view as <c>yarp.json</c> names it: <c>{ "CurrencyView": "EUR" }</c> on a GET route to Strapi's invoices.
/// The currency must have a fallback rate in <c>Currency:Fallback</c>; a new locale is a route and a setting, no code.
/// </summary>
internal sealed class CurrencyViewTransformFactory(IOptionsMonitor<CurrencyOptions> options, IExchangeRateProvider rates, ILoggerFactory loggers) : ITransformFactory
{
    internal const string Key = "CurrencyView";

    public bool Validate(TransformRouteValidationContext context, IReadOnlyDictionary<string, string> transformValues)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(transformValues);

        if (!transformValues.TryGetValue(Key, out var currency))
        {
            return false;
        }

        if (transformValues.Count != 1)
        {
            context.Errors.Add(new ArgumentException($"The {Key} transform takes no other keys."));
        }

        if (Problem(currency) is { } problem)
        {
            context.Errors.Add(new ArgumentException(problem));
        }

        return true;
    }

    public bool Build(TransformBuilderContext context, IReadOnlyDictionary<string, string> transformValues)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(transformValues);

        if (!transformValues.TryGetValue(Key, out var currency))
        {
            return false;
        }

        if (Problem(currency) is { } problem)
        {
            throw new ArgumentException(problem);
        }

        context.AddCurrencyView(currency, rates, loggers);
        return true;
    }

    private string? Problem(string currency) => options.CurrentValue.Converts(currency)
        ? null
        : $"{Key} names a currency with a fallback rate in {CurrencyOptions.SectionName}:{nameof(CurrencyOptions.Fallback)} (e.g. \"EUR\"); \"{currency}\" has none.";
}

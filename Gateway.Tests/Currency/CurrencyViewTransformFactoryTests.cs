using Gateway.Currency;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Gateway.Tests.Currency;

public sealed class CurrencyViewTransformFactoryTests
{
    [Theory]
    [InlineData("EUR", 0)]
    [InlineData("eur", 0)]
    [InlineData("GBP", 1)]
    [InlineData("", 1)]
    public void Validate_CurrencyNeedsAFallbackRate(string currency, int errors)
    {
        var context = new TransformRouteValidationContext { Route = new RouteConfig { RouteId = "r" }, Services = null! };

        var handled = Factory().Validate(context, new Dictionary<string, string> { [CurrencyViewTransformFactory.Key] = currency });

        Assert.True(handled);
        Assert.Equal(errors, context.Errors.Count);
    }

    [Fact]
    public void Validate_OtherKeys_NotOurs()
    {
        var context = new TransformRouteValidationContext { Route = new RouteConfig { RouteId = "r" }, Services = null! };

        Assert.False(Factory().Validate(context, new Dictionary<string, string> { ["PathSet"] = "/x" }));
    }

    [Fact]
    public void Build_UnknownCurrency_Throws()
    {
        var context = new TransformBuilderContext { Route = new RouteConfig { RouteId = "r" }, Services = null! };

        Assert.Throws<ArgumentException>(() => Factory().Build(context, new Dictionary<string, string> { [CurrencyViewTransformFactory.Key] = "XYZ" }));
    }

    private static CurrencyViewTransformFactory Factory()
    {
        var options = new CurrencyOptions();
        options.Fallback["EUR"] = 0.86m;
        return new CurrencyViewTransformFactory(new StaticMonitor(options), new NoRates(), NullLoggerFactory.Instance);
    }

    private sealed class StaticMonitor(CurrencyOptions value) : IOptionsMonitor<CurrencyOptions>
    {
        public CurrencyOptions CurrentValue => value;

        public CurrencyOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<CurrencyOptions, string?> listener) => null;
    }

    private sealed class NoRates : IExchangeRateProvider
    {
        public ValueTask<CurrencyQuote> GetRateAsync(string currency, CancellationToken cancel) => throw new NotSupportedException();
    }
}

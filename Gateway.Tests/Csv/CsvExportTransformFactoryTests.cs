using Microsoft.Extensions.Configuration;
using Gateway.Csv;
using Microsoft.Extensions.DependencyInjection;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Gateway.Tests.Csv;

public sealed class CsvExportTransformFactoryTests
{
    private readonly CsvExportTransformFactory _factory = new();

    [Fact]
    public void Invoices_OnStrapiRoute_Valid()
    {
        var context = Validation("strapi");

        Assert.True(_factory.Validate(context, Values("invoices")));
        Assert.Empty(context.Errors);
    }

    [Fact]
    public void OtherTransform_NotClaimed()
    {
        Assert.False(_factory.Validate(Validation("strapi"), new Dictionary<string, string> { ["PathSet"] = "/x" }));
    }

    [Theory]
    [InlineData("orders", "strapi", null)]
    [InlineData("invoices", "frontend", null)]
    [InlineData("invoices", "strapi", "Extra")]
    public void Misconfigured_OneErrorNamingTheTransform(string name, string cluster, string? extraKey)
    {
        var values = Values(name);
        if (extraKey is not null)
        {
            values[extraKey] = "x";
        }

        var context = Validation(cluster);

        Assert.True(_factory.Validate(context, values));
        var error = Assert.Single(context.Errors);
        Assert.Contains(CsvExportTransformFactory.Key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_AddsTheQueryRewriteAndTheStreamingResponse()
    {
        var services = new ServiceCollection().AddLogging()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().Build()).AddCsvExports().BuildServiceProvider();
        var context = new TransformBuilderContext { Route = new RouteConfig { RouteId = "r", ClusterId = "strapi" }, Services = services };

        Assert.True(_factory.Build(context, Values("invoices")));

        Assert.Same(CsvExport.Invoices, Assert.IsType<CsvExportRequestTransform>(Assert.Single(context.RequestTransforms)).Export);
        Assert.Same(CsvExport.Invoices, Assert.IsType<CsvExportResponseTransform>(Assert.Single(context.ResponseTransforms)).Export);
    }

    [Fact]
    public void Build_UnknownExport_Throws()
    {
        var context = new TransformBuilderContext { Route = new RouteConfig { RouteId = "r", ClusterId = "strapi" }, Services = new ServiceCollection().BuildServiceProvider() };

        Assert.Throws<ArgumentException>(() => _factory.Build(context, Values("orders")));
    }

    private static Dictionary<string, string> Values(string name) => new() { [CsvExportTransformFactory.Key] = name };

    private static TransformRouteValidationContext Validation(string cluster) => new()
    {
        Route = new RouteConfig { RouteId = "r", ClusterId = cluster },
        Services = new ServiceCollection().BuildServiceProvider(),
    };
}

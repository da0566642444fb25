namespace Gateway.Csv;

internal static class CsvServiceCollectionExtensions
{
    /// <summary>The CSV exports' options and metrics; the exports themselves are transforms named in <c>yarp.json</c>.</summary>
    public static IServiceCollection AddCsvExports(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);

        services.AddOptions<CsvOptions>()
            .BindConfiguration(CsvOptions.SectionName)
            .Validate(o => o.ClientStallTimeout > TimeSpan.Zero, "Csv:ClientStallTimeout must be positive.")
            .ValidateOnStart();
        services.AddMetrics();
        services.AddSingleton<CsvMetrics>();
        return services;
    }
}

namespace Gateway.Hosting;

internal static class GatewayErrorsExtensions
{
    /// <summary>
    /// Problem details for every error the gateway makes: ASP.NET Core's writer, a <c>type</c> for 413 and 429, and
    /// <see cref="LastResortProblemWriter"/> after it, so a problem keeps its status whatever the request's <c>Accept</c>.
    /// Call it after anything else that registers an <see cref="IProblemDetailsWriter"/>: writers are tried in order.
    /// </summary>
    public static IServiceCollection AddGatewayErrors(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);

        services.AddProblemDetails();
        services.AddExceptionHandler<BadRequestExceptionHandler>();
        services.AddOptions<ProblemDetailsOptions>().Configure(options =>
        {
            var configured = options.CustomizeProblemDetails;
            options.CustomizeProblemDetails = context =>
            {
                configured?.Invoke(context);
                ProblemTypes.Apply(context);
            };
        });

        // ASP.NET Core's own writer type is internal: taken from the registration AddProblemDetails just made.
        var json = services.Last(d => d.ServiceType == typeof(IProblemDetailsWriter)).ImplementationType
            ?? throw new InvalidOperationException("ASP.NET Core's problem details writer is not registered by type.");
        services.AddSingleton<IProblemDetailsWriter>(sp => new LastResortProblemWriter((IProblemDetailsWriter)ActivatorUtilities.CreateInstance(sp, json)));
        return services;
    }

    /// <summary>
    /// An exception nobody expected becomes a bare 500 problem: no exception text, whatever the environment.
    /// </summary>
    public static WebApplication UseGatewayErrors(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        app.UseExceptionHandler();
        return app;
    }
}

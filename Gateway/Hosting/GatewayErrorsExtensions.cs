namespace Gateway.Hosting;

internal static class GatewayErrorsExtensions
{
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

namespace Gateway.Hosting;

/// <summary>
/// Writes the errors the gateway makes itself as RFC 7807 problem details, through ASP.NET Core's
/// <see cref="IProblemDetailsService"/> so every one has the same shape (type, title, status, traceId).
/// </summary>
internal static class GatewayProblems
{
    public static async ValueTask WriteAsync(HttpContext context, int status, string title, string? detail = null)
    {
        ArgumentNullException.ThrowIfNull(context);

        context.Response.StatusCode = status;
        var service = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await service.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }
}

namespace Gateway.Hosting;

/// <summary>
/// The problem writer of last resort, registered after ASP.NET Core's default one. That one writes only for a request
/// whose <c>Accept</c> takes JSON (or has none), and <see cref="IProblemDetailsService.WriteAsync"/> throws when no writer
/// takes the request: a 401, 404 or 429 asked for with <c>Accept: text/html</c> became an empty 500 and a stack trace in
/// the log. This one takes every request and writes through the default writer itself, so the problem has the same shape
/// (type, title, status, detail, traceId, <see cref="ProblemDetailsOptions.CustomizeProblemDetails"/>) whatever the Accept.
/// </summary>
internal sealed class LastResortProblemWriter(IProblemDetailsWriter json) : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context) => json.WriteAsync(context);
}

namespace Gateway.Hosting;

/// <summary>A <c>type</c> for the statuses ASP.NET Core's problem defaults leave without one (413, 429).</summary>
internal static class ProblemTypes
{
    public const string ContentTooLarge = "https://tools.ietf.org/html/rfc9110#section-15.5.14";

    public const string TooManyRequests = "https://tools.ietf.org/html/rfc6585#section-4";

    /// <summary>Run by every problem writer after ASP.NET Core's defaults (<see cref="ProblemDetailsOptions.CustomizeProblemDetails"/>).</summary>
    public static void Apply(ProblemDetailsContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        var problem = context.ProblemDetails;
        problem.Type ??= problem.Status switch
        {
            StatusCodes.Status413PayloadTooLarge => ContentTooLarge,
            StatusCodes.Status429TooManyRequests => TooManyRequests,
            _ => null,
        };
    }
}

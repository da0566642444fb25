using System.Buffers;
using Gateway.Hosting;
using Yarp.ReverseProxy.Transforms;

namespace Gateway.Strapi;

/// <summary>
/// Refuses, with a 400 problem and before anything is forwarded, a route value that is not a Strapi document id:
/// ASCII letters and digits only, 1 to 64 of them. So <c>..</c>, <c>%2F</c> or a space can never steer the
/// request to another Strapi path.
/// </summary>
internal sealed partial class DocumentIdGuardTransform(string routeValueName, ILogger logger) : RequestTransform
{
    public const int MaxLength = 64;

    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    public string RouteValueName { get; } = routeValueName;

    public static bool IsValid(ReadOnlySpan<char> value)
        => value.Length is > 0 and <= MaxLength && !value.ContainsAnyExcept(Allowed);

    public override async ValueTask ApplyAsync(RequestTransformContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        var value = context.HttpContext.Request.RouteValues[RouteValueName] as string;
        if (IsValid(value))
        {
            return;
        }

        LogRejected(logger, RouteValueName);
        await GatewayProblems.WriteAsync(context.HttpContext, StatusCodes.Status400BadRequest,
            "Invalid document id",
            $"'{RouteValueName}' must be 1 to {MaxLength} ASCII letters or digits.");
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Debug, Message = "Refused a request whose {RouteValue} is not a document id")]
    private static partial void LogRejected(ILogger logger, string routeValue);
}

using Gateway.Hosting;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Transforms;

namespace Gateway.Strapi;

/// <summary>
/// On POST and PUT, reads the client's body (at most <see cref="StrapiOptions.MaxBodyBytes"/>, else 413) and
/// forwards it wrapped in Strapi's <c>{"data":…}</c> envelope; see <see cref="DataEnvelope"/>. Its content type is
/// never changed: only JSON bodies get this far (anything else is a 415 before forwarding, see Access/JsonBodyRule).
/// </summary>
internal sealed partial class DataEnvelopeTransform(IOptionsMonitor<StrapiOptions> options, ILogger logger) : RequestTransform
{
    public override async ValueTask ApplyAsync(RequestTransformContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        var request = context.HttpContext.Request;
        var content = context.ProxyRequest.Content;
        if (content is null || !(HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method)))
        {
            return;
        }

        var limit = options.CurrentValue.MaxBodyBytes;
        byte[]? body;
        try
        {
            body = request.ContentLength > limit ? null : await RequestBodyReader.ReadAsync(request.Body, limit, context.CancellationToken);
        }
        catch (BadHttpRequestException e)
        {
            await GatewayProblems.WriteAsync(context.HttpContext, e.StatusCode, "The request body could not be read");
            return;
        }

        if (body is null)
        {
            LogTooLarge(logger, limit);
            await GatewayProblems.WriteAsync(context.HttpContext, StatusCodes.Status413PayloadTooLarge,
                "The request body is too large", $"At most {limit} bytes are accepted.");
            return;
        }

        var forwarded = DataEnvelope.Apply(body);

        // YARP's request content reads HttpContext.Request.Body when it is sent: hand it the buffered bytes.
        request.Body = new MemoryStream(forwarded, writable: false);
        content.Headers.ContentLength = forwarded.Length;
    }

    [LoggerMessage(EventId = 2002, Level = LogLevel.Debug, Message = "Refused a request body over {Limit} bytes")]
    private static partial void LogTooLarge(ILogger logger, int limit);
}

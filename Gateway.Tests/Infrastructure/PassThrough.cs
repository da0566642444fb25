using Microsoft.AspNetCore.Http;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// Makes a <see cref="StubUpstream"/> a recording pass-through in front of a real server: it still records every request,
/// and answers each GET with what the real server answered (status, content type, body). Counts what reaches Strapi.
/// </summary>
internal static class PassThrough
{
    public static void ForwardGetsTo(this StubUpstream stub, Uri target)
    {
        var http = new HttpClient { BaseAddress = target, Timeout = TimeSpan.FromSeconds(30) };
        stub.Handler = async context =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, context.Request.Path + context.Request.QueryString);
            request.Headers.TryAddWithoutValidation("Authorization", context.Request.Headers.Authorization.ToString());
            using var answer = await http.SendAsync(request, context.RequestAborted);
            context.Response.StatusCode = (int)answer.StatusCode;
            context.Response.ContentType = answer.Content.Headers.ContentType?.ToString();
            await answer.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
        };
    }
}

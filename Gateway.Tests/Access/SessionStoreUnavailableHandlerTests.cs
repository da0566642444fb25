using System.Text.Json;
using Gateway.Access;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Access;

public sealed class SessionStoreUnavailableHandlerTests
{
    [Fact]
    public async Task SessionStoreDown_503Problem_OtherExceptionsLeftToTheNextHandler()
    {
        var services = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();
        var context = new DefaultHttpContext { RequestServices = services };
        context.Response.Body = new MemoryStream();
        var handler = new SessionStoreUnavailableHandler();

        Assert.False(await handler.TryHandleAsync(new DefaultHttpContext { RequestServices = services }, new InvalidOperationException(), CancellationToken.None));
        Assert.True(await handler.TryHandleAsync(context, new SessionStoreUnavailableException("Redis is unreachable."), CancellationToken.None));

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, context.Response.StatusCode);
        context.Response.Body.Position = 0;
        using var problem = await JsonDocument.ParseAsync(context.Response.Body);
        Assert.Equal(503, problem.RootElement.GetProperty("status").GetInt32());
        Assert.DoesNotContain("Redis", problem.RootElement.GetRawText(), StringComparison.Ordinal);
    }
}

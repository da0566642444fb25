using System.Net;
using System.Text;
using Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Hosting;

/// <summary>
/// Issue 23: a problem the gateway makes keeps its status whatever the request's <c>Accept</c> says. ASP.NET Core's problem
/// writer takes only JSON, and with no writer for <c>text/html</c> the problem details service threw: an empty 500 and an
/// Error with a stack trace, for anyone anonymous to cause.
/// </summary>
public sealed class ProblemAcceptTests : IClassFixture<ProblemAcceptFixture>
{
    private const string List = "/api/v2/invoices/en-us";
    private readonly ProblemAcceptFixture _fixture;

    public ProblemAcceptTests(ProblemAcceptFixture fixture) => _fixture = fixture;

    public static TheoryData<HttpStatusCode, string> Cases()
    {
        var cases = new TheoryData<HttpStatusCode, string>();
        HttpStatusCode[] statuses =
        [
            HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden, HttpStatusCode.NotFound, HttpStatusCode.MethodNotAllowed,
            HttpStatusCode.RequestEntityTooLarge, HttpStatusCode.UnsupportedMediaType, HttpStatusCode.TooManyRequests,
        ];
        foreach (var status in statuses)
        {
            foreach (var accept in new[] { "text/html", "text/csv", "application/xml" })
            {
                cases.Add(status, accept);
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task AnyAccept_StatusKept_ProblemBody_NoErrorLogged(HttpStatusCode status, string accept)
    {
        using var response = await ProvokeAsync(status, accept);

        var problem = await ProblemAssert.IsProblemAsync(response, status);
        Assert.StartsWith("https://tools.ietf.org/html/", problem.GetProperty("type").GetString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("traceId").GetString()));
        Assert.DoesNotContain(_fixture.Gateway.Logs.Lines, line => line.StartsWith("Error", StringComparison.Ordinal) || line.StartsWith("Critical", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(HttpStatusCode.RequestEntityTooLarge, "https://tools.ietf.org/html/rfc9110#section-15.5.14")]
    [InlineData(HttpStatusCode.TooManyRequests, "https://tools.ietf.org/html/rfc6585#section-4")]
    public async Task ProblemWithoutAnAspNetCoreDefaultType_GetsOne(HttpStatusCode status, string type)
    {
        using var response = await ProvokeAsync(status, "application/json");

        var problem = await ProblemAssert.IsProblemAsync(response, status);
        Assert.Equal(type, problem.GetProperty("type").GetString());
    }

    [Fact]
    public async Task UnexpectedException_HtmlAccept_500Problem()
    {
        await using var gateway = new GatewayHost(_fixture.Strapi.BaseUrl, _fixture.Frontend.BaseUrl, _fixture.Redis.Configuration, accessControl: true)
        {
            ExtraServices = services => services.AddSingleton<IAuthorizationHandler, ThrowingAuthorizationHandler>(),
        };
        using var client = gateway.CreateGatewayClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, List);
        request.Headers.Add("Accept", "text/html");

        using var response = await client.SendAsync(request);

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.InternalServerError);
        Assert.DoesNotContain(ThrowingAuthorizationHandler.Message, problem.ToString(), StringComparison.Ordinal);
    }

    private async Task<HttpResponseMessage> ProvokeAsync(HttpStatusCode status, string accept)
    {
        var client = _fixture.Client;
        HttpRequestMessage Request(HttpMethod method, string path, HttpContent? content = null)
        {
            var request = new HttpRequestMessage(method, path) { Content = content };
            request.Headers.TryAddWithoutValidation("Accept", accept);
            return request;
        }

        switch (status)
        {
            case HttpStatusCode.Unauthorized:
                // A fetch, not a navigation (which goes to the sign-in page): the problem whatever it accepts.
                var fetch = Request(HttpMethod.Get, List);
                fetch.Headers.Add("Sec-Fetch-Mode", "cors");
                return await client.SendAsync(fetch);
            case HttpStatusCode.Forbidden:
                var crossSite = Request(HttpMethod.Post, List, Json("{}"));
                crossSite.Headers.Add("Cookie", "gateway.session=any");
                crossSite.Headers.Add("Origin", "https://elsewhere.example");
                return await client.SendAsync(crossSite);
            case HttpStatusCode.NotFound:
                // The webhook endpoint, off without a secret: a gateway endpoint's own Results.Problem.
                return await client.SendAsync(Request(HttpMethod.Post, "/webhooks/strapi", Json("{}")));
            case HttpStatusCode.MethodNotAllowed:
                return await client.SendAsync(Request(HttpMethod.Patch, "/api/v2/invoices/en-us/abc123", Json("{}")));
            case HttpStatusCode.RequestEntityTooLarge:
                return await client.SendAsync(Request(HttpMethod.Post, List, Json($$"""{"note":"{{new string('x', ProblemAcceptFixture.MaxBodyBytes * 2)}}"}""")));
            case HttpStatusCode.UnsupportedMediaType:
                return await client.SendAsync(Request(HttpMethod.Post, List, new StringContent("amount=1", Encoding.UTF8, "text/plain")));
            case HttpStatusCode.TooManyRequests:
                // One admin-key guess per client per hour: the first may be the one allowed, the second never is.
                for (var i = 0; i < 2; i++)
                {
                    var guess = Request(HttpMethod.Get, List);
                    guess.Headers.Add("X-Admin-Key", "guessed-key-0123456789abcdef0123456789");
                    var response = await client.SendAsync(guess);
                    if (i == 1)
                    {
                        return response;
                    }

                    response.Dispose();
                }

                throw new InvalidOperationException("unreachable");
            default:
                throw new ArgumentOutOfRangeException(nameof(status));
        }
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    /// <summary>An authorization handler that fails the way an unexpected bug would.</summary>
    private sealed class ThrowingAuthorizationHandler : IAuthorizationHandler
    {
        public const string Message = "secret-internal-detail";

        public Task HandleAsync(AuthorizationHandlerContext context) => throw new InvalidOperationException(Message);
    }
}

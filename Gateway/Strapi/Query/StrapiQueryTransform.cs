using Gateway.Access;
using Gateway.Hosting;
using Microsoft.AspNetCore.Authorization;
using Yarp.ReverseProxy.Transforms;

namespace Gateway.Strapi;

/// <summary>
/// <c>{ "StrapiQuery": "invoices" }</c>: the client's query is checked against that collection's policy
/// (<see cref="StrapiQueryPolicy"/>) before anything is forwarded; a refusal is a 400 problem naming the parameter and
/// the rule. Listed first among a route's transforms, so the CSV export and the EUR view check what they pass on too;
/// on the geo route after the reroute, so a French client's query is judged by the EUR view it is sent to.
/// </summary>
internal sealed partial class StrapiQueryTransform(string collection, bool otherKeysAreTheRoutes, StrapiQueryPolicy policy, ILogger logger) : RequestTransform
{
    public string Collection { get; } = collection;

    public override async ValueTask ApplyAsync(RequestTransformContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        var http = context.HttpContext;
        if (http.Request.QueryString.Value is null or "" or "?")
        {
            return;
        }

        var check = policy.Check(Collection, http.Request.Query, otherKeysAreTheRoutes);
        if (check.Refused)
        {
            LogRefused(logger, check.Parameter!, check.Rule!);
            await GatewayProblems.WriteAsync(http, StatusCodes.Status400BadRequest, "Query not allowed",
                $"'{check.Parameter}' {check.Rule}.");
            return;
        }

        if (check.AsksForDrafts)
        {
            var authorization = http.RequestServices.GetRequiredService<IAuthorizationService>();
            if (!(await authorization.AuthorizeAsync(http.User, AccessPolicies.Editor)).Succeeded)
            {
                await GatewayProblems.WriteAsync(http, StatusCodes.Status403Forbidden, "Drafts are for editors",
                    "status=draft needs a caller the editor policy allows.");
            }
        }
    }

    [LoggerMessage(EventId = 2002, Level = LogLevel.Debug, Message = "Refused a query: {Parameter} {Rule}")]
    private static partial void LogRefused(ILogger logger, string parameter, string rule);
}

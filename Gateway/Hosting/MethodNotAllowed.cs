using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.AspNetCore.Routing.Template;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Configuration;

namespace Gateway.Hosting;

/// <summary>
/// A request that lands on a route without methods (the frontend's catch-all) while routes with methods match its path
/// (<c>PATCH /api/v2/invoices/en-us/x</c>) is answered <c>405</c> with <c>Allow</c>, never forwarded. The routes and their
/// methods come from the live YARP configuration (its routes' own <c>Match</c>: path and methods), so it follows
/// <c>yarp.json</c> as routes are split, added or reloaded.
/// </summary>
internal static class MethodNotAllowed
{
    private static readonly ConditionalWeakTable<RouteConfig, TemplateMatcher> Matchers = [];

    public static IReverseProxyApplicationBuilder UseMethodNotAllowed(this IReverseProxyApplicationBuilder proxy)
    {
        ArgumentNullException.ThrowIfNull(proxy);

        var routes = proxy.ApplicationServices.GetRequiredService<IProxyStateLookup>();
        // Not async, and the RequestDelegate overload of Use: a request that passes (nearly all) goes on without a state
        // machine or a closure of its own.
        proxy.Use((context, next) =>
        {
            if (context.GetReverseProxyFeature().Route.Config.Match.Methods is { Count: > 0 }
                || Allowed(routes, context.Request.Path) is not { Length: > 0 } allow)
            {
                return next(context);
            }

            context.Response.Headers.Allow = allow;
            return GatewayProblems.WriteAsync(context, StatusCodes.Status405MethodNotAllowed, "The method is not allowed here").AsTask();
        });
        return proxy;
    }

    /// <summary>The methods of every route with methods whose path pattern matches <paramref name="path"/>, comma separated.</summary>
    internal static string Allowed(IProxyStateLookup routes, PathString path)
    {
        SortedSet<string>? methods = null;
        var values = new RouteValueDictionary(); // one per request, not one per route: this runs for every frontend request
        foreach (var route in routes.GetRoutes())
        {
            var config = route.Config;
            if (config.Match.Methods is not { Count: > 0 } routeMethods || config.Match.Path is null)
            {
                continue;
            }

            var matcher = Matchers.GetValue(config, static c => new TemplateMatcher(
                new RouteTemplate(RoutePatternFactory.Parse(c.Match.Path!)), []));
            var matched = matcher.TryMatch(path, values);
            values.Clear();
            if (matched)
            {
                methods ??= new SortedSet<string>(StringComparer.OrdinalIgnoreCase);
                methods.UnionWith(routeMethods);
            }
        }

        return methods is null ? "" : string.Join(", ", methods);
    }
}

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Currency.Bench;

/// <summary>
/// A fast stand-in Strapi: <c>/api/invoices</c> answers a prebuilt page of 25 or 100 items (by <c>pagination[pageSize]</c>),
/// with every field, or, when the query selects fields (the fr route's <c>fields[…]</c>), with those only, as Strapi does;
/// <c>/v6/latest/USD</c> answers as open.er-api.com does. Loopback only.
/// </summary>
internal static class Stub
{
    public static async Task RunAsync(int port)
    {
        var pages = new Dictionary<string, byte[]> { ["25"] = StrapiPage.Build(25), ["100"] = StrapiPage.Build(100) };
        var selectedPages = new Dictionary<string, byte[]> { ["25"] = StrapiPage.Build(25, selected: true), ["100"] = StrapiPage.Build(100, selected: true) };
        var rates = """{"result":"success","base_code":"USD","time_last_update_unix":1732406401,"time_next_update_unix":1732492801,"rates":{"USD":1,"EUR":0.86,"GBP":0.79}}"""u8.ToArray();

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGet("/api/invoices", (HttpContext context) =>
        {
            var size = context.Request.Query["pagination[pageSize]"].ToString();
            var sizes = context.Request.Query.ContainsKey("fields[0]") ? selectedPages : pages;
            var page = sizes.GetValueOrDefault(size, sizes["25"]);
            context.Response.ContentType = "application/json; charset=utf-8";
            context.Response.ContentLength = page.Length;
            return context.Response.Body.WriteAsync(page).AsTask();
        });
        app.MapGet("/v6/latest/USD", (HttpContext context) =>
        {
            context.Response.ContentType = "application/json";
            return context.Response.Body.WriteAsync(rates).AsTask();
        });
        app.MapGet("/_health", () => Results.NoContent());
        await app.RunAsync();
    }
}

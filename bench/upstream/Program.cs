// A fast stand-in for Strapi: every path answers the same precomputed page of 25 invoices in Strapi v5's shape,
// so a benchmark measures the proxy in front of it, not the CMS; except users-permissions' sign-in
// (/api/auth/local: any credentials are user 1) and user 1 with the role editor, for bench/auth. Usage: Bench.Upstream <port>
using System.Text;

var port = args.Length > 0 ? int.Parse(args[0]) : 5100;
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
var app = builder.Build();

var items = Enumerable.Range(1, 25).Select(Invoice);
static string Invoice(int i)
{
    var customer = i % 6;
    var status = i % 2 == 0 ? "paid" : "pending";
    return "{\"id\":" + i + ",\"documentId\":\"doc" + i.ToString("D20") + "\",\"amount\":" + (i * 1579)
        + ",\"date\":\"2023-0" + (i % 9 + 1) + "-1" + (i % 9) + "\",\"invoice_status\":\"" + status
        + "\",\"createdAt\":\"2025-01-01T00:00:00.000Z\",\"updatedAt\":\"2025-01-01T00:00:00.000Z\",\"publishedAt\":\"2025-01-01T00:00:00.000Z\""
        + ",\"customer\":{\"id\":" + (customer + 1) + ",\"documentId\":\"cus" + customer.ToString("D21") + "\",\"name\":\"Customer " + customer
        + "\",\"email\":\"c" + customer + "@example.com\",\"image_url\":\"/customers/" + customer + ".png\"}}";
}

var page = Encoding.UTF8.GetBytes("{\"data\":[" + string.Join(',', items) + "],\"meta\":{\"pagination\":{\"page\":1,\"pageSize\":25,\"pageCount\":40,\"total\":1000}}}");

var signIn = Encoding.UTF8.GetBytes("{\"jwt\":\"not-used\",\"user\":{\"id\":1}}");
var user = Encoding.UTF8.GetBytes("{\"id\":1,\"username\":\"bench\",\"email\":\"bench@bench.local\",\"blocked\":false,\"role\":{\"type\":\"editor\",\"name\":\"Editor\"}}");
app.Run(context =>
{
    var path = context.Request.Path;
    var body = path == "/api/auth/local" ? signIn : path == "/api/users/1" ? user : page;
    context.Response.ContentType = "application/json; charset=utf-8";
    context.Response.ContentLength = body.Length;
    return context.Response.Body.WriteAsync(body).AsTask();
});
app.Run();

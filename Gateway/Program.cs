using Gateway.Hosting;

var builder = WebApplication.CreateBuilder(args);

builder.AddYarpJson();
builder.AddGateway();

var app = builder.Build();

app.UseGatewayErrors();
app.MapGatewayHealth();
app.MapReverseProxy(proxy => proxy.UseForwarderProblemDetails());

app.Run();

/// <summary>Entry point, visible to <c>WebApplicationFactory&lt;Program&gt;</c> in the tests.</summary>
public partial class Program;

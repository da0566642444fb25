using System.Net.Http.Json;
using System.Text.Json;

namespace Gateway.Tests.EndToEnd;

internal static class JsonHelpers
{
    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    public static async Task<JsonElement> GetJsonAsync(this HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}");
        return await response.JsonAsync();
    }

    public static Task<HttpResponseMessage> SendJsonAsync(this HttpClient client, HttpMethod method, string path, object body)
        => client.SendAsync(new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) });

    public static JsonElement Pagination(this JsonElement envelope) => envelope.GetProperty("meta").GetProperty("pagination");

    public static int Int(this JsonElement element, string name) => element.GetProperty(name).GetInt32();

    public static string Str(this JsonElement element, string name) => element.GetProperty(name).GetString()!;
}

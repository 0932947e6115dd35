using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace MlNetDigits.Web.Tests.Api;

/// <summary>Request helpers shared by the API tests.</summary>
internal static class ApiClient
{
    public static async Task<(HttpStatusCode Status, JsonElement Body, string? ContentType)> SendAsync(HttpClient client, HttpRequestMessage request)
    {
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var body = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        return (response.StatusCode, body, response.Content.Headers.ContentType?.MediaType);
    }

    public static Task<(HttpStatusCode Status, JsonElement Body, string? ContentType)> GetAsync(HttpClient client, string url) =>
        SendAsync(client, new HttpRequestMessage(HttpMethod.Get, url));

    public static Task<(HttpStatusCode Status, JsonElement Body, string? ContentType)> PostPngAsync(HttpClient client, string url, byte[] png)
    {
        var content = new ByteArrayContent(png);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        return SendAsync(client, new HttpRequestMessage(HttpMethod.Post, url) { Content = content });
    }

    public static Task<(HttpStatusCode Status, JsonElement Body, string? ContentType)> PostJsonAsync(HttpClient client, string url, object body) =>
        SendAsync(client, new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(body as string ?? JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"),
        });

    /// <summary>Asserts an RFC 7807 problem details response with <paramref name="status"/>; returns its detail.</summary>
    public static string AssertProblem((HttpStatusCode Status, JsonElement Body, string? ContentType) response, HttpStatusCode status)
    {
        Assert.Equal(status, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Equal((int)status, response.Body.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(response.Body.GetProperty("title").GetString()));
        var detail = response.Body.GetProperty("detail").GetString();
        Assert.False(string.IsNullOrEmpty(detail));
        return detail!;
    }

    public static float[] Floats(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetSingle())];
}

using System.Net;
using System.Net.Http.Headers;
using MlNetDigits.Web.Tests.Fixtures;
using static MlNetDigits.Web.Tests.Api.ApiClient;

namespace MlNetDigits.Web.Tests.Api;

/// <summary>The headers every response carries, and POSTs from pages of other origins.</summary>
public sealed class SecurityTests(WebAppFactory factory) : IClassFixture<WebAppFactory>, IDisposable
{
    private readonly HttpClient _client = factory.CreateClient();

    public void Dispose() => _client.Dispose();

    [Theory]
    [InlineData("GET", "/")]
    [InlineData("GET", "/misclassified.html")]
    [InlineData("GET", "/js/draw.js")]
    [InlineData("GET", "/api/health")]
    [InlineData("GET", "/api/models")]
    [InlineData("GET", "/api/dataset/test/0.png")]
    [InlineData("GET", "/api/nothing-here")]
    [InlineData("POST", "/api/predict")]
    [InlineData("POST", "/api/read-number")]
    [InlineData("POST", "/api/corrections?model=cnn&label=3")]
    [InlineData("GET", "/api/corrections/count")]
    public async Task EveryResponse_CarriesTheSecurityHeaders(string method, string url)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (method == "POST")
            request.Content = new ByteArrayContent("not a png"u8.ToArray()) { Headers = { ContentType = new MediaTypeHeaderValue("image/png") } };

        using var response = await _client.SendAsync(request);

        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("no-referrer", Header(response, "Referrer-Policy"));
        var csp = Header(response, "Content-Security-Policy")!;
        Assert.Contains("default-src 'self'", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
        Assert.DoesNotContain("unsafe-eval", csp);
    }

    [Theory]
    [InlineData("http://evil.example")]
    [InlineData("null")]
    [InlineData("http://localhost:1")]
    public async Task CrossOriginPost_IsRefused(string origin)
    {
        var response = await SendAsync(_client, PngPost("/api/predict", origin));
        var batch = await SendAsync(_client, PngPost("/api/predict/batch", origin));
        var compare = await SendAsync(_client, PngPost("/api/compare", origin));
        var number = await SendAsync(_client, PngPost("/api/read-number", origin));
        var correction = await SendAsync(_client, PngPost("/api/corrections?model=cnn&label=3", origin));

        Assert.Contains(origin, AssertProblem(response, HttpStatusCode.Forbidden));
        AssertProblem(batch, HttpStatusCode.Forbidden);
        AssertProblem(compare, HttpStatusCode.Forbidden);
        AssertProblem(number, HttpStatusCode.Forbidden);
        AssertProblem(correction, HttpStatusCode.Forbidden);
        Assert.False(File.Exists(factory.CorrectionsPath), "A refused correction created the corrections database.");
    }

    [Fact]
    public async Task CrossSitePostWithoutOrigin_IsRefusedOnTheBrowsersWord()
    {
        var request = PngPost("/api/predict", origin: null);
        request.Headers.Add("Sec-Fetch-Site", "cross-site");

        AssertProblem(await SendAsync(_client, request), HttpStatusCode.Forbidden);
    }

    [Theory]
    [InlineData(null)]                       // curl, scripts
    [InlineData("http://localhost")]         // the test host's own origin
    [InlineData("HTTP://LOCALHOST:80")]      // the same origin spelt otherwise
    public async Task SameOriginOrNoOriginPost_IsServed(string? origin)
    {
        var (status, body, _) = await SendAsync(_client, PngPost("/api/predict", origin));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("cnn", body.GetProperty("model").GetString());
    }

    [Fact]
    public async Task PostFromAConfiguredOrigin_IsServed()
    {
        using var proxied = WebAppFactory.With(new Dictionary<string, string?> { ["Web:AllowedOrigins:0"] = "https://digits.example.org" });
        using var client = proxied.CreateClient();

        var allowed = await SendAsync(client, PngPost("/api/predict", "https://digits.example.org"));
        var other = await SendAsync(client, PngPost("/api/predict", "https://other.example.org"));

        Assert.Equal(HttpStatusCode.OK, allowed.Status);
        AssertProblem(other, HttpStatusCode.Forbidden);
    }

    private static HttpRequestMessage PngPost(string url, string? origin)
    {
        var content = new ByteArrayContent(SampleDigits.DrawingPng(SampleDigits.FirstOf(3)));
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
        if (origin is not null)
            request.Headers.Add("Origin", origin);
        return request;
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values) ? string.Join(", ", values) : null;
}

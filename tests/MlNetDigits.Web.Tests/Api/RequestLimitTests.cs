using System.Net;
using System.Net.Http.Headers;
using System.Text;
using MlNetDigits.Web.Tests.Fixtures;
using static MlNetDigits.Web.Tests.Api.ApiClient;

namespace MlNetDigits.Web.Tests.Api;

/// <summary>Image shapes checked before anything is allocated, and malformed multipart bodies.</summary>
public sealed class RequestLimitTests(WebAppFactory factory) : IClassFixture<WebAppFactory>, IDisposable
{
    private readonly HttpClient _client = factory.CreateClient();

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task Predict_RefusesAMultipartBodyWithAGarbageHeaderLine()
    {
        const string Boundary = "b0undary";
        var body = $"--{Boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\nthis line is no header\r\n\r\nxyz\r\n--{Boundary}--\r\n";
        var content = new ByteArrayContent(Encoding.ASCII.GetBytes(body));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={Boundary}");

        var response = await SendAsync(_client, new HttpRequestMessage(HttpMethod.Post, "/api/predict") { Content = content });

        Assert.Contains("header", AssertProblem(response, HttpStatusCode.BadRequest));
        Assert.Equal("Invalid multipart body", response.Body.GetProperty("title").GetString());
    }

    [Theory]
    [InlineData("/api/predict")]
    [InlineData("/api/compare")]
    public async Task PixelRowsOver4096ASide_AreRefused(string url)
    {
        var wide = new { pixels = new[] { new int[ImageCodec.MaxDimension + 1] } };
        var tall = new { pixels = Enumerable.Repeat(new[] { 0 }, ImageCodec.MaxDimension + 1) };

        Assert.Contains("4096", AssertProblem(await PostJsonAsync(_client, url, wide), HttpStatusCode.BadRequest));
        Assert.Contains("4096", AssertProblem(await PostJsonAsync(_client, url, tall), HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task Compare_RefusesAPngOver4096PixelsASide()
    {
        var response = await PostPngAsync(_client, "/api/compare", ImageCodec.EncodePng(new GrayImage(5000, 1)));

        Assert.Contains("4096", AssertProblem(response, HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task Predict_RefusesAHugeDeclaredShapeWithoutOverflowing()
    {
        // 70,000 columns x 40,001 rows is 2.8 billion pixels: more than an int counts, in under 1 MB of JSON.
        var json = new StringBuilder("{\"pixels\": [[");
        json.AppendJoin(',', Enumerable.Repeat('0', 70_000)).Append(']');
        for (int i = 0; i < 40_000; i++)
            json.Append(",[]");
        json.Append("]}");

        var response = await PostJsonAsync(_client, "/api/predict", json.ToString());

        var detail = AssertProblem(response, HttpStatusCode.BadRequest);
        Assert.Contains("4096", detail);
        Assert.DoesNotContain("overflow", detail);
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using MlNetDigits.Web.Tests.Fixtures;
using static MlNetDigits.Web.Tests.Api.ApiClient;

namespace MlNetDigits.Web.Tests.Api;

/// <summary>
/// The work one request may cost: decoded pixels per request (read from each PNG's header before decoding), image shapes
/// checked before anything is allocated, work stopped when the client hangs up, and malformed multipart bodies.
/// </summary>
public sealed class RequestLimitTests(WebAppFactory factory) : IClassFixture<WebAppFactory>, IDisposable
{
    private static readonly Lazy<byte[]> BlankMaximumPng = new(() => ImageCodec.EncodePng(new GrayImage(ImageCodec.MaxDimension, ImageCodec.MaxDimension)));

    private readonly HttpClient _client = factory.CreateClient();

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task Batch_RefusesTheIssuesBatchOf256Blank4096PixelPngs()
    {
        // The probe's request: 4.2 MB of multipart that decodes to 256 x 16.8 M pixels (63 s of CPU before the budget).
        using var form = Multipart(Enumerable.Repeat(BlankMaximumPng.Value, 256));

        var response = await SendAsync(_client, new HttpRequestMessage(HttpMethod.Post, "/api/predict/batch") { Content = form });

        var detail = AssertProblem(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("4,294,967,296 pixels", detail);
        Assert.Contains("33,554,432", detail);
    }

    [Fact]
    public async Task Batch_RefusesImagesOverAConfiguredPixelBudget()
    {
        using var small = WebAppFactory.With(new Dictionary<string, string?> { ["Web:MaxPixelsPerRequest"] = "150000" });
        using var client = small.CreateClient();
        var drawing = ImageCodec.EncodePng(new GrayImage(280, 280)); // 78,400 pixels: one fits, two do not

        using var two = Multipart([drawing, drawing]);
        var refused = await SendAsync(client, new HttpRequestMessage(HttpMethod.Post, "/api/predict/batch") { Content = two });
        using var one = Multipart([drawing]);
        var accepted = await SendAsync(client, new HttpRequestMessage(HttpMethod.Post, "/api/predict/batch") { Content = one });

        Assert.Contains("156,800 pixels", AssertProblem(refused, HttpStatusCode.RequestEntityTooLarge));
        Assert.Equal(HttpStatusCode.OK, accepted.Status);
    }

    [Fact]
    public async Task Batch_CountsJsonPixelsAgainstThePixelBudget()
    {
        using var small = WebAppFactory.With(new Dictionary<string, string?> { ["Web:MaxPixelsPerRequest"] = "1000" });
        using var client = small.CreateClient();
        var pixels = SampleDigits.Pixels(0).Select(b => (int)b).ToArray();

        var response = await PostJsonAsync(client, "/api/predict/batch", new { images = new[] { new { pixels }, new { pixels } } });

        Assert.Contains("1,568 pixels", AssertProblem(response, HttpStatusCode.RequestEntityTooLarge));
    }

    [Fact]
    public async Task Batch_StopsClassifyingWhenTheClientHangsUp()
    {
        // The body stream hangs up (cancels RequestAborted) as the server reads its last byte, so everything after the read
        // runs for a client that is gone: the server must stop instead of classifying 256 images for nobody.
        var pixels = SampleDigits.Pixels(0).Select(b => (int)b).ToArray();
        var body = JsonSerializer.SerializeToUtf8Bytes(new { images = Enumerable.Repeat(new { pixels }, 256) });
        using var hangUp = new CancellationTokenSource();

        var context = await factory.Server.SendAsync(c =>
        {
            c.Request.Method = HttpMethods.Post;
            c.Request.Path = "/api/predict/batch";
            c.Request.ContentType = "application/json";
            c.Request.ContentLength = body.Length;
            c.Request.Body = new HangUpAtEndStream(body, hangUp);
            c.RequestAborted = hangUp.Token;
        });

        Assert.True(hangUp.IsCancellationRequested);
        Assert.Equal(StatusCodes.Status499ClientClosedRequest, context.Response.StatusCode);
    }

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
    [InlineData("/api/read-number")]
    [InlineData("/api/corrections?model=cnn&label=1")]
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

    private static MultipartFormDataContent Multipart(IEnumerable<byte[]> pngs)
    {
        var form = new MultipartFormDataContent();
        int i = 0;
        foreach (var png in pngs)
        {
            var file = new ByteArrayContent(png);
            file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            form.Add(file, "images", $"{i++}.png");
        }
        return form;
    }

    /// <summary>A request body that cancels <paramref name="hangUp"/> when it is read to its end, as a client that leaves.</summary>
    private sealed class HangUpAtEndStream(byte[] body, CancellationTokenSource hangUp) : Stream
    {
        private int _position;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var read = Math.Min(buffer.Length, body.Length - _position);
            body.AsSpan(_position, read).CopyTo(buffer);
            _position += read;
            if (read == 0)
                hangUp.Cancel();
            return read;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => body.Length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

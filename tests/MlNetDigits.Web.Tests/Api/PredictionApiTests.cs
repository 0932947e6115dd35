using System.Net;
using System.Net.Http.Headers;
using MlNetDigits.Web.Tests.Fixtures;
using static MlNetDigits.Web.Tests.Api.ApiClient;

namespace MlNetDigits.Web.Tests.Api;

/// <summary>POST /api/predict, /api/predict/batch and /api/compare through the ASP.NET Core test host.</summary>
public sealed class PredictionApiTests(WebAppFactory factory) : IClassFixture<WebAppFactory>, IDisposable
{
    private readonly HttpClient _client = factory.CreateClient();
    private readonly DigitClassifier _reference = TestModels.LoadClassifier(TestModels.First);

    public void Dispose()
    {
        _client.Dispose();
        _reference.Dispose();
    }

    [Fact]
    public async Task Predict_ClassifiesSampleDigitDrawingsSentAsPng_AsTheLibraryDoes()
    {
        int correct = 0;
        for (int digit = 0; digit < 10; digit++)
        {
            var index = SampleDigits.FirstOf(digit);
            var png = SampleDigits.DrawingPng(index);
            var (status, body, _) = await PostPngAsync(_client, "/api/predict?model=cnn", png);

            Assert.Equal(HttpStatusCode.OK, status);
            var expected = _reference.Classify(png);
            Assert.Equal("cnn", body.GetProperty("model").GetString());
            Assert.Equal(expected.Digit, body.GetProperty("digit").GetString());
            Assert.Equal(expected.Probabilities.Select(p => p.Score), Floats(body.GetProperty("probabilities")));
            Assert.Equal(expected.IsUnsure, body.GetProperty("unsure").GetBoolean());
            Assert.Equal(expected.Model.Version, body.GetProperty("modelVersion").GetString());
            if (body.GetProperty("digit").GetString() == digit.ToString())
                correct++;
        }
        Assert.True(correct >= 8, $"Only {correct} of 10 sample digits were classified correctly.");
    }

    [Fact]
    public async Task Predict_DefaultsToTheFirstModelAndReportsItsVersion()
    {
        var (status, body, _) = await PostPngAsync(_client, "/api/predict", SampleDigits.DrawingPng(SampleDigits.FirstOf(1)));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("cnn", body.GetProperty("model").GetString());
        Assert.Matches("^[0-9a-f]{12}$", body.GetProperty("modelVersion").GetString());
        Assert.Equal(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"], body.GetProperty("classes").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(1f, Floats(body.GetProperty("probabilities")).Sum(), 3);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, body.GetProperty("image").ValueKind);
    }

    [Fact]
    public async Task Predict_ServesEachModelByName()
    {
        var png = SampleDigits.DrawingPng(SampleDigits.FirstOf(4));
        var cnn = await PostPngAsync(_client, "/api/predict?model=cnn", png);
        var sdca = await PostPngAsync(_client, "/api/predict?model=SDCA", png);

        Assert.Equal("sdca", sdca.Body.GetProperty("model").GetString());
        Assert.NotEqual(cnn.Body.GetProperty("modelVersion").GetString(), sdca.Body.GetProperty("modelVersion").GetString());
        Assert.NotEqual(Floats(cnn.Body.GetProperty("probabilities")), Floats(sdca.Body.GetProperty("probabilities")));
    }

    [Fact]
    public async Task Predict_TakesMnistPixelsAsJson_WithoutPreprocessingWhenAsked()
    {
        var index = SampleDigits.FirstOf(7);
        var pixels = SampleDigits.Pixels(index);

        var (status, body, _) = await PostJsonAsync(_client, "/api/predict", new { pixels = pixels.Select(b => (int)b), preprocess = false });

        Assert.Equal(HttpStatusCode.OK, status);
        var expected = _reference.Classify28x28(pixels);
        Assert.Equal(expected.Digit, body.GetProperty("digit").GetString());
        Assert.Equal(expected.Probabilities.Select(p => p.Score), Floats(body.GetProperty("probabilities")));
    }

    [Fact]
    public async Task Predict_TakesPixelRowsOfAnySize()
    {
        // A 56x40 dark-on-light image: the sample digit scaled 2x and padded, sent as rows.
        var source = SampleDigits.Pixels(SampleDigits.FirstOf(3));
        const int Width = 40, Height = 56;
        var flat = new float[Width * Height];
        var rows = new float[Height][];
        for (int y = 0; y < Height; y++)
        {
            rows[y] = new float[Width];
            for (int x = 0; x < Width; x++)
            {
                int sx = (x - 6) / 2 + 7, sy = y / 2;
                var ink = x >= 6 && sx < 28 && sy < 28 && (x - 6) / 2 < 14 ? source[sy * 28 + sx] : 0;
                rows[y][x] = flat[y * Width + x] = 255 - ink;
            }
        }

        var asRows = await PostJsonAsync(_client, "/api/predict", new { pixels = rows });
        var asFlat = await PostJsonAsync(_client, "/api/predict", new { width = Width, height = Height, pixels = flat });

        Assert.Equal(HttpStatusCode.OK, asRows.Status);
        Assert.Equal(HttpStatusCode.OK, asFlat.Status);
        var expected = _reference.Classify(flat, Width, Height);
        Assert.Equal(expected.Probabilities.Select(p => p.Score), Floats(asRows.Body.GetProperty("probabilities")));
        Assert.Equal(expected.Probabilities.Select(p => p.Score), Floats(asFlat.Body.GetProperty("probabilities")));
    }

    [Fact]
    public async Task Predict_TakesAMultipartUpload()
    {
        var png = SampleDigits.DrawingPng(SampleDigits.FirstOf(2));
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(png);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(file, "image", "two.png");

        var (status, body, _) = await SendAsync(_client, new HttpRequestMessage(HttpMethod.Post, "/api/predict") { Content = form });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(_reference.Classify(png).Digit, body.GetProperty("digit").GetString());
    }

    [Fact]
    public async Task Predict_ReturnsThePreprocessedImageWhenAsked()
    {
        var png = SampleDigits.DrawingPng(SampleDigits.FirstOf(5));

        var (_, body, _) = await PostPngAsync(_client, "/api/predict?image=true", png);

        var url = body.GetProperty("image").GetString()!;
        Assert.StartsWith("data:image/png;base64,", url);
        var seen = ImageCodec.Decode(Convert.FromBase64String(url["data:image/png;base64,".Length..]));
        Assert.Equal((28, 28), (seen.Width, seen.Height));
        var expected = DigitPreprocessor.Preprocess(ImageCodec.Decode(png)).Final.ToBytes();
        Assert.Equal(expected, seen.ToBytes());
    }

    [Fact]
    public async Task Predict_FlagsABlankImageAsUnsure()
    {
        var blank = ImageCodec.EncodePng(GrayImage.FromBytes(64, 64, Enumerable.Repeat((byte)255, 64 * 64).ToArray()));

        var (status, body, _) = await PostPngAsync(_client, "/api/predict", blank);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(body.GetProperty("unsure").GetBoolean());
        Assert.Contains("no ink", body.GetProperty("unsureReason").GetString());
        Assert.False(body.GetProperty("isDigit").GetBoolean());
        Assert.Equal("blank", body.GetProperty("notADigitReason").GetString());
    }

    [Fact]
    public async Task Predict_SaysWhetherTheImageIsADigit_WithTheLibrarysReasonScoreAndConfidenceText()
    {
        var digit = SampleDigits.DrawingPng(SampleDigits.FirstOf(0));
        var speck = Enumerable.Repeat((byte)255, 200 * 200).ToArray();
        for (int y = 90; y < 96; y++)
            for (int x = 90; x < 96; x++)
                speck[y * 200 + x] = 0;
        var dot = ImageCodec.EncodePng(GrayImage.FromBytes(200, 200, speck));

        foreach (var (png, isDigit, reason) in new[] { (digit, true, (string?)null), (dot, false, "dot") })
        {
            var (status, body, _) = await PostPngAsync(_client, "/api/predict", png);

            Assert.Equal(HttpStatusCode.OK, status);
            var expected = _reference.Classify(png);
            Assert.Equal(isDigit, expected.IsDigit);
            Assert.Equal(isDigit, body.GetProperty("isDigit").GetBoolean());
            Assert.Equal(reason, body.GetProperty("notADigitReason").GetString());
            Assert.Equal(expected.ConfidenceText, body.GetProperty("confidenceText").GetString());
            // The test CNN has an out-of-distribution head: its score is passed on as the library computes it.
            Assert.NotNull(expected.NotADigitScore);
            Assert.Equal(expected.NotADigitScore, body.GetProperty("notADigitScore").GetSingle());
            if (!isDigit)
            {
                Assert.True(body.GetProperty("unsure").GetBoolean());
                Assert.Contains("a dot", body.GetProperty("unsureReason").GetString());
            }
        }
    }

    [Fact]
    public async Task Predict_ConfidenceTextNeverReadsOneHundredPercentBelowCertainty()
    {
        // Sample digits the CNN is at least 99.5 % sure of: a plain percentage with up to one decimal would print "100".
        var sure = 0;
        for (int index = 0; index < 200 && sure < 5; index++)
        {
            var (_, body, _) = await PostJsonAsync(_client, "/api/predict", new { pixels = SampleDigits.Pixels(index).Select(b => (int)b), preprocess = false });
            var confidence = body.GetProperty("confidence").GetSingle();
            if (confidence is < 0.995f or >= 1f)
                continue;
            sure++;
            var text = body.GetProperty("confidenceText").GetString()!;
            Assert.Equal(ConfidenceFormat.Percent(confidence), text);
            Assert.False(text.StartsWith("100", StringComparison.Ordinal), $"A confidence of {confidence:R} reads '{text}'.");
            Assert.EndsWith(" %", text);
        }
        Assert.True(sure > 0, "No sample digit among the first 200 has a confidence from 99.5 % to just under 100 %; pick others.");
    }

    [Fact]
    public async Task Batch_ReturnsOnePredictionPerImageInRequestOrder()
    {
        var indices = Enumerable.Range(0, 30).Select(i => i * 31 % SampleDigits.Count).ToArray();
        var images = indices.Select(i => new { pixels = SampleDigits.Pixels(i).Select(b => (int)b), preprocess = false }).ToArray();

        var (status, body, _) = await PostJsonAsync(_client, "/api/predict/batch?model=sdca", new { images });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(30, body.GetProperty("count").GetInt32());
        using var sdca = TestModels.LoadClassifier(TestModels.Second);
        var predictions = body.GetProperty("predictions").EnumerateArray().ToArray();
        for (int k = 0; k < indices.Length; k++)
            Assert.Equal(sdca.Classify28x28(SampleDigits.Pixels(indices[k])).Digit, predictions[k].GetProperty("digit").GetString());
    }

    [Fact]
    public async Task Batch_TakesSeveralMultipartFiles()
    {
        using var form = new MultipartFormDataContent();
        foreach (var digit in new[] { 0, 6, 9 })
        {
            var file = new ByteArrayContent(SampleDigits.DrawingPng(SampleDigits.FirstOf(digit)));
            file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            form.Add(file, "images", $"{digit}.png");
        }

        var (status, body, _) = await SendAsync(_client, new HttpRequestMessage(HttpMethod.Post, "/api/predict/batch") { Content = form });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(3, body.GetProperty("predictions").GetArrayLength());
    }

    [Theory]
    [InlineData(256, HttpStatusCode.OK)]
    [InlineData(257, HttpStatusCode.BadRequest)]
    [InlineData(0, HttpStatusCode.BadRequest)]
    public async Task Batch_AcceptsUpTo256Images(int count, HttpStatusCode expected)
    {
        var pixels = SampleDigits.Pixels(0).Select(b => (int)b).ToArray();
        var images = Enumerable.Repeat(new { pixels, preprocess = false }, count).ToArray();

        var response = await PostJsonAsync(_client, "/api/predict/batch", new { images });

        if (expected == HttpStatusCode.OK)
            Assert.Equal(count, response.Body.GetProperty("predictions").GetArrayLength());
        else
            Assert.Contains(count == 0 ? "no images" : "at most 256", AssertProblem(response, expected));
    }

    [Fact]
    public async Task Predict_RefusesABrokenPngWithProblemDetails()
    {
        var png = SampleDigits.DrawingPng(0);
        var truncated = png[..(png.Length / 2)]; // the header is whole, the image data stops half way
        var notPng = "GIF89a not a png"u8.ToArray();

        var broken = await PostPngAsync(_client, "/api/predict", truncated);
        var gif = await PostPngAsync(_client, "/api/predict", notPng);

        Assert.Contains("truncated", AssertProblem(broken, HttpStatusCode.BadRequest));
        Assert.Contains("Not a PNG", AssertProblem(gif, HttpStatusCode.BadRequest));
        Assert.Equal("Invalid PNG", gif.Body.GetProperty("title").GetString());
    }

    [Fact]
    public async Task Predict_RefusesAPngOver4096PixelsASide()
    {
        var wide = ImageCodec.EncodePng(new GrayImage(5000, 1));

        var response = await PostPngAsync(_client, "/api/predict", wide);

        Assert.Contains("4096", AssertProblem(response, HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task Predict_KeepsServingTheCnnRequestAfterRequest()
    {
        // The library's pool disposed every engine given back after its first few predictions, and the CNN's ONNX session
        // with it; the app must not depend on that.
        var png = SampleDigits.DrawingPng(SampleDigits.FirstOf(6));
        var statuses = new List<HttpStatusCode>();
        for (int i = 0; i < 24; i++)
            statuses.Add((await PostPngAsync(_client, "/api/predict?model=cnn", png)).Status);

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
    }

    [Theory]
    [InlineData("""{"pixels": [1, 2, 3]}""", "784")]
    [InlineData("""{"width": 10, "height": 10, "pixels": [1, 2, 3]}""", "needs 100 pixels")]
    [InlineData("""{"width": 3, "pixels": [1, 2, 3]}""", "both")]
    [InlineData("""{"pixels": [[1, 2], [3]]}""", "row 1")]
    [InlineData("""{"width": 0, "height": 3, "pixels": []}""", "width")]
    [InlineData("""{"width": 5000, "height": 1, "pixels": [1]}""", "4096")]
    [InlineData("""{"width": 1, "height": 1, "pixels": [300]}""", "0 to 255")]
    [InlineData("""{"width": 1, "height": 1, "pixels": ["a"]}""", "0 to 255")]
    [InlineData("""{"width": 2, "height": 2, "pixels": [1, 2, 3, 4], "preprocess": false}""", "28 x 28")]
    [InlineData("""{"png": "not base64!"}""", "base64")]
    [InlineData("""{"picture": []}""", "pixels")]
    [InlineData("""[1, 2]""", "JSON object")]
    [InlineData("""{"pixels": [1, 2""", "not valid JSON")]
    [InlineData("""{"images": []}""", "/api/predict/batch")]
    public async Task Predict_RefusesBadPixelsWithProblemDetails(string json, string expectedInDetail)
    {
        var response = await PostJsonAsync(_client, "/api/predict", json);

        Assert.Contains(expectedInDetail, AssertProblem(response, HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task Predict_RefusesABodyOverOneMegabyte()
    {
        var big = new byte[(1 << 20) + 1];

        var declared = await PostPngAsync(_client, "/api/predict", big);
        using var chunked = new HttpRequestMessage(HttpMethod.Post, "/api/predict") { Content = new StreamContent(new MemoryStream(big)) };
        chunked.Content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        chunked.Headers.TransferEncodingChunked = true;
        var streamed = await SendAsync(_client, chunked);

        Assert.Contains("1,048,576", AssertProblem(declared, HttpStatusCode.RequestEntityTooLarge));
        AssertProblem(streamed, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Batch_RefusesABodyOverEightMegabytes()
    {
        var response = await PostPngAsync(_client, "/api/predict/batch", new byte[(8 << 20) + 1]);

        Assert.Contains("8,388,608", AssertProblem(response, HttpStatusCode.RequestEntityTooLarge));
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("image/jpeg")]
    [InlineData(null)]
    public async Task Predict_RefusesOtherContentTypes(string? contentType)
    {
        var content = new ByteArrayContent([1, 2, 3]);
        content.Headers.ContentType = contentType is null ? null : new MediaTypeHeaderValue(contentType);

        var response = await SendAsync(_client, new HttpRequestMessage(HttpMethod.Post, "/api/predict") { Content = content });

        AssertProblem(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Theory]
    [InlineData("unknown")]
    [InlineData("../../../../etc/passwd")]
    [InlineData("..%2F..%2Fmodels%2Fcnn-best.zip")]
    [InlineData("%2Fetc%2Fpasswd")]
    [InlineData("cnn.zip")]
    [InlineData("C:%5Cwindows%5Cwin.ini")]
    public async Task Predict_RefusesModelNamesThatAreNotConfigured(string model)
    {
        var response = await PostPngAsync(_client, $"/api/predict?model={model}", SampleDigits.DrawingPng(0));

        var detail = AssertProblem(response, HttpStatusCode.NotFound);
        Assert.Contains("'cnn', 'sdca'", detail);
        Assert.DoesNotContain("root:", detail);
    }

    [Fact]
    public async Task Compare_AnswersWithEveryModelAndTheImageTheySee()
    {
        var png = SampleDigits.DrawingPng(SampleDigits.FirstOf(8));

        var (status, body, _) = await PostPngAsync(_client, "/api/compare", png);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(body.GetProperty("hasInk").GetBoolean());
        Assert.StartsWith("data:image/png;base64,", body.GetProperty("image").GetString());
        var models = body.GetProperty("models").EnumerateArray().ToArray();
        Assert.Equal(["cnn", "sdca"], models.Select(m => m.GetProperty("name").GetString()));
        Assert.All(models, m => Assert.True(m.GetProperty("available").GetBoolean()));
        Assert.Equal(_reference.Classify(png).Digit, models[0].GetProperty("prediction").GetProperty("digit").GetString());
        Assert.All(models, m => Assert.True(m.GetProperty("prediction").GetProperty("isDigit").GetBoolean()));
    }
}

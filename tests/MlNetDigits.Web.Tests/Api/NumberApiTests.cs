using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using MlNetDigits.Web.Api;
using MlNetDigits.Web.Tests.Fixtures;
using static MlNetDigits.Web.Tests.Api.ApiClient;

namespace MlNetDigits.Web.Tests.Api;

/// <summary>POST /api/read-number through the ASP.NET Core test host: a drawing of several digits read as a number.</summary>
public sealed class NumberApiTests(WebAppFactory factory) : IClassFixture<WebAppFactory>, IDisposable
{
    private readonly HttpClient _client = factory.CreateClient();
    private readonly DigitClassifier _reference = TestModels.LoadClassifier(TestModels.First);

    public void Dispose()
    {
        _client.Dispose();
        _reference.Dispose();
    }

    [Fact]
    public async Task ReadNumber_ReadsDigitsSideBySide_WithEachDigitsBoxAndProbabilities_AsTheLibraryDoes()
    {
        var (image, columns) = SampleDigits.NumberDrawing(SampleDigits.ReadSurely(_reference, "2094"), scale: 3);
        var png = ImageCodec.EncodePng(image);

        var (status, body, _) = await PostPngAsync(_client, "/api/read-number", png);

        Assert.Equal(HttpStatusCode.OK, status);
        var expected = _reference.ReadNumber(png);
        Assert.Equal("2094", expected.Text);
        Assert.Equal("cnn", body.GetProperty("model").GetString());
        Assert.Equal(expected.Digits[0].Prediction.Model.Version, body.GetProperty("modelVersion").GetString());
        Assert.Equal("2094", body.GetProperty("text").GetString());
        Assert.True(body.GetProperty("isNumber").GetBoolean());
        Assert.Equal(expected.IsUnsure, body.GetProperty("unsure").GetBoolean());
        Assert.Equal(expected.UnsureReasons, body.GetProperty("unsureReasons").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(image.Width, body.GetProperty("width").GetInt32());
        Assert.Equal(image.Height, body.GetProperty("height").GetInt32());
        var digits = body.GetProperty("digits").EnumerateArray().ToArray();
        Assert.Equal(4, digits.Length);
        for (int i = 0; i < 4; i++)
        {
            var box = digits[i].GetProperty("box");
            var want = expected.Digits[i];
            Assert.Equal(want.Bounds, new PixelRect(box.GetProperty("x").GetInt32(), box.GetProperty("y").GetInt32(),
                box.GetProperty("width").GetInt32(), box.GetProperty("height").GetInt32()));
            Assert.InRange(want.Bounds.X + want.Bounds.Width / 2, columns[i].From, columns[i].To);
            Assert.Equal(want.SegmentationConfidence, digits[i].GetProperty("segmentationConfidence").GetSingle());
            Assert.Equal(want.WasSplit, digits[i].GetProperty("wasSplit").GetBoolean());
            var prediction = digits[i].GetProperty("prediction");
            Assert.Equal("2094"[i].ToString(), prediction.GetProperty("digit").GetString());
            Assert.True(prediction.GetProperty("isDigit").GetBoolean());
            Assert.Equal(JsonValueKind.Null, prediction.GetProperty("notADigitReason").ValueKind);
            Assert.Equal(want.Prediction.ConfidenceText, prediction.GetProperty("confidenceText").GetString());
            Assert.Equal(want.Prediction.Probabilities.Select(p => p.Score), Floats(prediction.GetProperty("probabilities")));
            Assert.Equal(JsonValueKind.Null, prediction.GetProperty("image").ValueKind);
        }
    }

    [Fact]
    public async Task ReadNumber_TakesMultipartAndJsonPixels_AndGivesEachDigitsImageWhenAsked()
    {
        var (image, _) = SampleDigits.NumberDrawing(SampleDigits.ReadSurely(_reference, "507"), scale: 2);
        var png = ImageCodec.EncodePng(image);
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(png);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(file, "image", "number.png");

        var multipart = await SendAsync(_client, new HttpRequestMessage(HttpMethod.Post, "/api/read-number?image=true") { Content = form });
        var json = await PostJsonAsync(_client, "/api/read-number", new { width = image.Width, height = image.Height, pixels = image.ToBytes().Select(b => (int)b) });

        Assert.Equal(HttpStatusCode.OK, multipart.Status);
        Assert.Equal(HttpStatusCode.OK, json.Status);
        Assert.Equal("507", multipart.Body.GetProperty("text").GetString());
        Assert.Equal("507", json.Body.GetProperty("text").GetString());
        Assert.All(multipart.Body.GetProperty("digits").EnumerateArray(),
            d => Assert.StartsWith("data:image/png;base64,", d.GetProperty("prediction").GetProperty("image").GetString()));
    }

    [Fact]
    public async Task ReadNumber_ServesTheModelAskedFor()
    {
        var png = ImageCodec.EncodePng(SampleDigits.NumberDrawing(SampleDigits.ReadSurely(_reference, "31"), scale: 2).Image);

        var cnn = await PostPngAsync(_client, "/api/read-number?model=cnn", png);
        var sdca = await PostPngAsync(_client, "/api/read-number?model=sdca", png);

        Assert.Equal("sdca", sdca.Body.GetProperty("model").GetString());
        Assert.NotEqual(cnn.Body.GetProperty("modelVersion").GetString(), sdca.Body.GetProperty("modelVersion").GetString());
        Assert.Equal(2, sdca.Body.GetProperty("digits").GetArrayLength());
    }

    [Fact]
    public async Task ReadNumber_BlankDrawing_HasNoDigitsAndSaysSo()
    {
        var blank = ImageCodec.EncodePng(GrayImage.FromBytes(840, 280, Enumerable.Repeat((byte)255, 840 * 280).ToArray()));

        var (status, body, _) = await PostPngAsync(_client, "/api/read-number", blank);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("", body.GetProperty("text").GetString());
        Assert.False(body.GetProperty("isNumber").GetBoolean());
        Assert.True(body.GetProperty("unsure").GetBoolean());
        Assert.Contains("blank", Assert.Single(body.GetProperty("unsureReasons").EnumerateArray()).GetString());
        Assert.Equal(0, body.GetProperty("digits").GetArrayLength());
        Assert.Equal(_reference.Model.Version, body.GetProperty("modelVersion").GetString());
    }

    [Fact]
    public async Task ReadNumber_InkThatIsNotADigit_IsAQuestionMarkAndTheReadingIsUnsure()
    {
        // "2 0" and, in a third place, a square frame as tall as a digit: a segment of its own that the test CNN's
        // out-of-distribution score calls not digit-like (a solid block, an X or a triangle it reads as digits). A small
        // speck would not do: the segmenter drops ink far shorter than the digits as noise.
        var (image, columns) = SampleDigits.NumberDrawing(SampleDigits.ReadSurely(_reference, "201"), scale: 3);
        var pixels = image.Pixels;
        for (int y = 10 * 3; y < 38 * 3; y++)
            for (int x = columns[2].From; x < columns[2].To; x++)
            {
                int u = (x - columns[2].From) / 3, v = y / 3 - 10; // source pixels in the third place's 28x28
                bool inSquare = u is >= 4 and < 24 && v is >= 4 and < 24, inHole = u is >= 7 and < 21 && v is >= 7 and < 21;
                pixels[y * image.Width + x] = inSquare && !inHole ? 0f : 255f;
            }
        var png = ImageCodec.EncodePng(image);
        var expected = _reference.ReadNumber(png);
        Assert.True(expected.Text == "20?", $"The test model reads the frame as '{expected.Text}', not \"20?\": draw something it calls not a digit.");

        var (status, body, _) = await PostPngAsync(_client, "/api/read-number", png);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("20?", body.GetProperty("text").GetString());
        Assert.False(body.GetProperty("isNumber").GetBoolean());
        Assert.True(body.GetProperty("unsure").GetBoolean());
        Assert.Equal(expected.UnsureReasons, body.GetProperty("unsureReasons").EnumerateArray().Select(r => r.GetString()));
        var last = body.GetProperty("digits")[2].GetProperty("prediction");
        Assert.False(last.GetProperty("isDigit").GetBoolean());
        Assert.Equal(expected.Digits[2].Prediction.NotADigitReason.ToJsonName(), last.GetProperty("notADigitReason").GetString());
        Assert.Equal(expected.Digits[2].Prediction.NotADigitScore, last.GetProperty("notADigitScore").GetSingle());
        Assert.Contains(body.GetProperty("unsureReasons").EnumerateArray(), r => r.GetString()!.Contains("is not a digit"));
    }

    public static TheoryData<string, HttpStatusCode, string> BadRequests => new()
    {
        { """{"pixels": [1, 2, 3]}""", HttpStatusCode.BadRequest, "784" },
        { """{"width": 2, "height": 2, "pixels": [0, 0, 0, 300]}""", HttpStatusCode.BadRequest, "0 to 255" },
        { """{"pixels": [0], "width": 1, "height": 1, "preprocess": false}""", HttpStatusCode.BadRequest, "preprocess" },
        { """{"png": "not base64!"}""", HttpStatusCode.BadRequest, "base64" },
        { """{"images": []}""", HttpStatusCode.BadRequest, "one image" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task ReadNumber_RefusesBadImagesWithProblemDetails(string json, HttpStatusCode status, string expectedInDetail)
    {
        var response = await PostJsonAsync(_client, "/api/read-number", json);

        Assert.Contains(expectedInDetail, AssertProblem(response, status));
    }

    [Fact]
    public async Task ReadNumber_RefusesABrokenPngAnOversizedOneAndABodyOverOneMegabyte()
    {
        var broken = await PostPngAsync(_client, "/api/read-number", [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3]);
        var wide = await PostPngAsync(_client, "/api/read-number", ImageCodec.EncodePng(new GrayImage(4097, 2)));
        var large = await PostPngAsync(_client, "/api/read-number", new byte[(1 << 20) + 1]);

        Assert.Contains("PNG", AssertProblem(broken, HttpStatusCode.BadRequest));
        Assert.Contains("4096", AssertProblem(wide, HttpStatusCode.BadRequest));
        Assert.Contains("1,048,576", AssertProblem(large, HttpStatusCode.RequestEntityTooLarge));
    }

    [Fact]
    public async Task ReadNumber_RefusesAnImageOverThePixelBudget_AndAnUnknownModel()
    {
        using var small = WebAppFactory.With(new Dictionary<string, string?> { ["Web:MaxPixelsPerRequest"] = "100000" });
        using var client = small.CreateClient();
        var drawing = ImageCodec.EncodePng(GrayImage.FromBytes(840, 280, Enumerable.Repeat((byte)255, 840 * 280).ToArray()));

        var over = await PostPngAsync(client, "/api/read-number", drawing);
        var unknown = await PostPngAsync(_client, "/api/read-number?model=../cnn", drawing);

        Assert.Contains("Web:MaxPixelsPerRequest", AssertProblem(over, HttpStatusCode.RequestEntityTooLarge));
        Assert.Contains("'cnn', 'sdca'", AssertProblem(unknown, HttpStatusCode.NotFound));
    }
}

using System.Net;
using System.Net.Http.Headers;
using MlNetDigits.Web.Corrections;
using MlNetDigits.Web.Tests.Fixtures;
using Microsoft.Extensions.Logging.Abstractions;
using static MlNetDigits.Web.Tests.Api.ApiClient;

namespace MlNetDigits.Web.Tests.Api;

/// <summary>
/// POST /api/corrections and GET /api/corrections/count through the ASP.NET Core test host. Every test has an app of its
/// own with a new corrections database, read back with the library's <see cref="CorrectionStore"/>.
/// </summary>
public sealed class CorrectionApiTests : IDisposable
{
    private readonly WebAppFactory _factory = new();
    private readonly HttpClient _client;
    private readonly DigitClassifier _reference = TestModels.LoadClassifier(TestModels.First);

    public CorrectionApiTests() => _client = _factory.CreateClient();

    public void Dispose()
    {
        _client.Dispose();
        _factory.Dispose();
        _reference.Dispose();
    }

    [Fact]
    public async Task Correction_IsStoredWithTheLabelTheModelAndThePixelsTheModelSaw()
    {
        var png = SampleDigits.DrawingPng(SampleDigits.FirstOf(3));
        var (_, answer, _) = await PostPngAsync(_client, "/api/predict?model=cnn", png);
        var predicted = answer.GetProperty("digit").GetString()!;
        var version = answer.GetProperty("modelVersion").GetString()!;

        var (status, body, _) = await PostPngAsync(_client, $"/api/corrections?model=cnn&label=5&predicted={predicted}&version={version}", png);

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal(1, body.GetProperty("id").GetInt64());
        Assert.Equal(5u, body.GetProperty("label").GetUInt32());
        Assert.Equal(predicted, body.GetProperty("predicted").GetString());
        Assert.Equal("cnn", body.GetProperty("model").GetString());
        Assert.Equal("first", body.GetProperty("modelName").GetString());
        Assert.Equal(version, body.GetProperty("modelVersion").GetString());
        Assert.Equal(1, body.GetProperty("count").GetInt64());
        Assert.Equal("corrections.db", body.GetProperty("store").GetString());

        var row = Assert.Single(CorrectionStore.Open(_factory.CorrectionsPath).ReadAll());
        var seen = _reference.Classify(png);
        Assert.Equal(5u, row.Label);
        Assert.Equal(predicted, row.Predicted);
        Assert.Equal(seen.Model.Name, row.ModelName);
        Assert.Equal(version, row.ModelVersion);
        Assert.Equal(seen.Image.Pixels.Select(v => MathF.Round(v)), row.Pixels);
        Assert.Contains(row.Pixels, v => v > 0);
        Assert.Equal(png, row.Drawing);
        Assert.Equal(1, (await GetAsync(_client, "/api/corrections/count")).Body.GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task Correction_TakesMnistPixelsAsJsonAndAMultipartUpload()
    {
        var mnist = SampleDigits.Pixels(SampleDigits.FirstOf(7));
        var png = SampleDigits.DrawingPng(SampleDigits.FirstOf(9));
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(png);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(file, "image", "nine.png");

        var json = await PostJsonAsync(_client, "/api/corrections?model=sdca&label=1", new { pixels = mnist.Select(b => (int)b), preprocess = false });
        var multipart = await SendAsync(_client, new HttpRequestMessage(HttpMethod.Post, "/api/corrections?model=cnn&label=4") { Content = form });

        Assert.Equal(HttpStatusCode.Created, json.Status);
        Assert.Equal(HttpStatusCode.Created, multipart.Status);
        Assert.Equal(2, multipart.Body.GetProperty("count").GetInt64());
        var rows = CorrectionStore.Open(_factory.CorrectionsPath).ReadAll();
        Assert.Equal([1u, 4u], rows.Select(r => r.Label));
        Assert.Equal(["second", "first"], rows.Select(r => r.ModelName));
        // MNIST-format pixels go to the model as they are: they are what it saw, and there is no other drawing to keep.
        Assert.Equal(mnist.Select(b => (float)b), rows[0].Pixels);
        Assert.Null(rows[0].Drawing);
        Assert.Equal(png, rows[1].Drawing);
    }

    public static TheoryData<string, string> BadQueries => new()
    {
        { "/api/corrections?model=cnn", "label=0 to 9" },
        { "/api/corrections?model=cnn&label=", "label=0 to 9" },
        { "/api/corrections?model=cnn&label=10", "0 to 9; found '10'" },
        { "/api/corrections?model=cnn&label=-1", "0 to 9; found '-1'" },
        { "/api/corrections?model=cnn&label=four", "0 to 9; found 'four'" },
        { "/api/corrections?model=cnn&label=%204", "0 to 9; found ' 4'" },
        { "/api/corrections?model=cnn&label=4&predicted=44", "found '44'" },
        { "/api/corrections?model=cnn&label=4&predicted=..%2F..%2Fetc", "found '../../etc'" },
    };

    [Theory]
    [MemberData(nameof(BadQueries))]
    public async Task Correction_RefusesABadLabelOrAnswer_AndStoresNothing(string url, string expectedInDetail)
    {
        var response = await PostPngAsync(_client, url, SampleDigits.DrawingPng(SampleDigits.FirstOf(4)));

        Assert.Contains(expectedInDetail, AssertProblem(response, HttpStatusCode.BadRequest));
        Assert.False(File.Exists(_factory.CorrectionsPath), "A refused correction created the corrections database.");
    }

    [Fact]
    public async Task Correction_RefusesBadImages_AndStoresNothing()
    {
        var blank = ImageCodec.EncodePng(GrayImage.FromBytes(64, 64, Enumerable.Repeat((byte)255, 64 * 64).ToArray()));
        var broken = await PostPngAsync(_client, "/api/corrections?model=cnn&label=4", [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3]);
        var jpeg = await PostPngAsync(_client, "/api/corrections?model=cnn&label=4", [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]);
        var empty = await PostJsonAsync(_client, "/api/corrections?model=cnn&label=4", "");
        var pixels = await PostJsonAsync(_client, "/api/corrections?model=cnn&label=4", new { pixels = new[] { 1, 2, 3 } });
        var nothingDrawn = await PostPngAsync(_client, "/api/corrections?model=cnn&label=4", blank);
        var large = await PostPngAsync(_client, "/api/corrections?model=cnn&label=4", new byte[(1 << 20) + 1]);
        var text = await SendAsync(_client, new HttpRequestMessage(HttpMethod.Post, "/api/corrections?model=cnn&label=4") { Content = new StringContent("4") });
        var unknown = await PostPngAsync(_client, "/api/corrections?model=nope&label=4", SampleDigits.DrawingPng(0));

        Assert.Contains("not a PNG", AssertProblem(broken, HttpStatusCode.BadRequest));
        Assert.Contains("FFD8FFE0", AssertProblem(jpeg, HttpStatusCode.BadRequest));
        Assert.Contains("no body", AssertProblem(empty, HttpStatusCode.BadRequest));
        Assert.Contains("784", AssertProblem(pixels, HttpStatusCode.BadRequest));
        Assert.Contains("no ink", AssertProblem(nothingDrawn, HttpStatusCode.BadRequest));
        Assert.Contains("1,048,576", AssertProblem(large, HttpStatusCode.RequestEntityTooLarge));
        AssertProblem(text, HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("'cnn', 'sdca'", AssertProblem(unknown, HttpStatusCode.NotFound));
        Assert.False(File.Exists(_factory.CorrectionsPath), "A refused correction created the corrections database.");
    }

    [Fact]
    public async Task Correction_OfAnAnswerTheModelDidNotGive_IsAConflict_AndStoresNothing()
    {
        var png = SampleDigits.DrawingPng(SampleDigits.FirstOf(6));
        var said = _reference.Classify(png);
        var other = said.Digit == "1" ? "2" : "1";

        var wrongAnswer = await PostPngAsync(_client, $"/api/corrections?model=cnn&label=6&predicted={other}", png);
        var notADigit = await PostPngAsync(_client, "/api/corrections?model=cnn&label=6&predicted=none", png);
        var oldVersion = await PostPngAsync(_client, "/api/corrections?model=cnn&label=6&version=0123456789ab", png);

        Assert.Contains($"answers this image '{said.Digit}', not '{other}'", AssertProblem(wrongAnswer, HttpStatusCode.Conflict));
        Assert.Contains("not \"not a digit\"", AssertProblem(notADigit, HttpStatusCode.Conflict));
        Assert.Contains($"serves version {said.Model.Version} now", AssertProblem(oldVersion, HttpStatusCode.Conflict));
        Assert.False(File.Exists(_factory.CorrectionsPath), "A refused correction created the corrections database.");
    }

    [Fact]
    public async Task Correction_OfANotADigitAnswer_IsStoredWithoutAPrediction()
    {
        // A speck in a corner is a dot: the model's answer is "not a digit", sent as predicted=none.
        var pixels = Enumerable.Repeat((byte)255, 200 * 200).ToArray();
        for (int y = 20; y < 26; y++)
            for (int x = 20; x < 26; x++)
                pixels[y * 200 + x] = 0;
        var png = ImageCodec.EncodePng(GrayImage.FromBytes(200, 200, pixels));
        Assert.Equal(NotADigitReason.Dot, _reference.Classify(png).NotADigitReason);

        var (status, body, _) = await PostPngAsync(_client, "/api/corrections?model=cnn&label=1&predicted=none", png);

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, body.GetProperty("predicted").ValueKind);
        Assert.Null(Assert.Single(CorrectionStore.Open(_factory.CorrectionsPath).ReadAll()).Predicted);
    }

    [Fact]
    public async Task Correction_WithADrawingOverTheStoresLimit_IsRefusedWith413()
    {
        // 1,600 x 1,600 pixels of noise do not compress: a PNG of about 2.6 MB, over the 2 MiB a correction keeps.
        using var roomy = WebAppFactory.With(new Dictionary<string, string?> { ["Web:MaxSingleRequestBytes"] = (8 << 20).ToString() });
        using var client = roomy.CreateClient();
        var random = new Random(19);
        var noise = new byte[1600 * 1600];
        random.NextBytes(noise);
        var png = ImageCodec.EncodePng(GrayImage.FromBytes(1600, 1600, noise));
        Assert.True(png.Length > CorrectionStore.MaxDrawingBytes, $"The noise PNG is only {png.Length:N0} bytes.");

        var response = await PostPngAsync(client, "/api/corrections?model=cnn&label=8", png);

        Assert.Contains("2,097,152", AssertProblem(response, HttpStatusCode.RequestEntityTooLarge));
        Assert.False(File.Exists(roomy.CorrectionsPath), "A refused correction created the corrections database.");
    }

    [Fact]
    public async Task Count_IsZeroWithoutCreatingTheFile_ThenCountsWhatIsStored()
    {
        var before = await GetAsync(_client, "/api/corrections/count");
        Assert.Equal(HttpStatusCode.OK, before.Status);
        Assert.Equal(0, before.Body.GetProperty("count").GetInt64());
        Assert.False(File.Exists(_factory.CorrectionsPath), "Counting created the corrections database.");

        var png = SampleDigits.DrawingPng(SampleDigits.FirstOf(2));
        Assert.Equal(HttpStatusCode.Created, (await PostPngAsync(_client, "/api/corrections?model=cnn&label=2", png)).Status);
        Assert.Equal(HttpStatusCode.Created, (await PostPngAsync(_client, "/api/corrections?model=sdca&label=2", png)).Status);

        Assert.Equal(2, (await GetAsync(_client, "/api/corrections/count")).Body.GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task AFileThatIsNotACorrectionsDatabase_IsNeverOverwritten_AndSaysWhy()
    {
        var folder = Directory.CreateTempSubdirectory("mlnd-web-notadb-").FullName;
        var path = Path.Combine(folder, "notes.txt");
        var content = "My notes, not a database.\n"u8.ToArray();
        await File.WriteAllBytesAsync(path, content);
        using var misconfigured = WebAppFactory.With(new Dictionary<string, string?> { ["Web:CorrectionsPath"] = path });
        using var client = misconfigured.CreateClient();

        var post = await PostPngAsync(client, "/api/corrections?model=cnn&label=2", SampleDigits.DrawingPng(SampleDigits.FirstOf(2)));
        var count = await GetAsync(client, "/api/corrections/count");

        var detail = AssertProblem(post, HttpStatusCode.ServiceUnavailable);
        Assert.Contains("notes.txt", detail);
        Assert.Contains("Web:CorrectionsPath", detail);
        Assert.DoesNotContain(folder, detail);
        AssertProblem(count, HttpStatusCode.ServiceUnavailable);
        Assert.Equal(content, await File.ReadAllBytesAsync(path));
        Assert.Equal(["notes.txt"], Directory.GetFiles(folder).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Corrections_FromEightClientsAtOnce_AreAllStoredWithDistinctIds()
    {
        const int Clients = 8, PostsEach = 25;
        var mnist = Enumerable.Range(0, 10).Select(d => SampleDigits.Pixels(SampleDigits.FirstOf(d)).Select(b => (int)b).ToArray()).ToArray();

        var ids = await Task.WhenAll(Enumerable.Range(0, Clients).Select(async c =>
        {
            using var client = _factory.CreateClient();
            var mine = new List<long>();
            for (int i = 0; i < PostsEach; i++)
            {
                int label = (c + i) % 10;
                var (status, body, _) = await PostJsonAsync(client, $"/api/corrections?model=cnn&label={label}", new { pixels = mnist[label], preprocess = false });
                Assert.Equal(HttpStatusCode.Created, status);
                mine.Add(body.GetProperty("id").GetInt64());
            }
            return mine;
        }));

        var all = ids.SelectMany(x => x).ToArray();
        Assert.Equal(Clients * PostsEach, all.Distinct().Count());
        var rows = CorrectionStore.Open(_factory.CorrectionsPath).ReadAll();
        Assert.Equal(Clients * PostsEach, rows.Count);
        Assert.Equal(all.Order(), rows.Select(r => r.Id).Order());
        // Every client's labels arrived with the pixels posted for them.
        var expectedLabels = Enumerable.Range(0, Clients).SelectMany(c => Enumerable.Range(0, PostsEach).Select(i => (uint)((c + i) % 10)));
        Assert.Equal(expectedLabels.Order(), rows.Select(r => r.Label).Order());
        Assert.All(rows, r => Assert.Equal(mnist[r.Label].Select(v => (float)v), r.Pixels));
        Assert.Equal(Clients * PostsEach, (await GetAsync(_client, "/api/corrections/count")).Body.GetProperty("count").GetInt64());
    }

    [Fact]
    public void CorrectionsPath_IsTakenFromTheBaseFolder_AndShownRelativeToIt()
    {
        var folders = new AppFolders(Path.Combine(Path.GetTempPath(), "mlnd-base"));
        var log = new CorrectionLog(new WebOptions(), folders, NullLogger<CorrectionLog>.Instance);

        Assert.Equal(Path.Combine(folders.BaseFolder, "data", "corrections.db"), log.FullPath);
        Assert.Equal(Path.Combine("data", "corrections.db"), log.DisplayPath);
    }
}

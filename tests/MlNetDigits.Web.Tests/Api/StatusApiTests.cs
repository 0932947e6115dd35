using System.Net;
using System.Text.Json;
using MlNetDigits.Web.Tests.Fixtures;
using static MlNetDigits.Web.Tests.Api.ApiClient;

namespace MlNetDigits.Web.Tests.Api;

/// <summary>GET /api/health and the model-info endpoints, with every model present and with one missing.</summary>
public sealed class StatusApiTests(WebAppFactory factory) : IClassFixture<WebAppFactory>
{
    [Fact]
    public async Task Health_IsHealthyWhenEveryModelIsServed()
    {
        using var client = factory.CreateClient();

        var (status, body, _) = await GetAsync(client, "/api/health");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("healthy", body.GetProperty("status").GetString());
        Assert.Equal("sample", body.GetProperty("dataset").GetString());
        Assert.All(body.GetProperty("models").EnumerateArray(), m => Assert.Equal("ready", m.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task Models_DescribeEachServedModel()
    {
        using var client = factory.CreateClient();

        var (status, body, _) = await GetAsync(client, "/api/models");
        var one = await GetAsync(client, "/api/models/sdca");

        Assert.Equal(HttpStatusCode.OK, status);
        var models = body.EnumerateArray().ToArray();
        Assert.Equal(["cnn", "sdca"], models.Select(m => m.GetProperty("name").GetString()));
        Assert.Equal("first.zip", models[0].GetProperty("file").GetString());
        Assert.Equal("configured", models[0].GetProperty("source").GetString());
        Assert.Matches("^[0-9a-f]{12}$", models[0].GetProperty("version").GetString());
        Assert.Equal(10, models[0].GetProperty("classes").GetArrayLength());
        Assert.Equal(HttpStatusCode.OK, one.Status);
        Assert.Equal("second.zip", one.Body.GetProperty("file").GetString());
    }

    [Fact]
    public async Task ModelsAndHealth_ShowNoAbsolutePaths_EvenInErrors()
    {
        var folder = Directory.CreateTempSubdirectory("mlnd-paths-").FullName;
        var missing = Path.Combine(folder, "not-there.zip");
        var broken = Path.Combine(folder, "broken.zip");
        File.WriteAllText(broken, "not a zip at all");
        using var degraded = WebAppFactory.With(new Dictionary<string, string?> { ["Models:Sdca"] = missing, ["Models:Broken"] = broken });
        using var client = degraded.CreateClient();

        var texts = new List<string>();
        foreach (var url in new[] { "/api/models", "/api/models/sdca", "/api/models/broken", "/api/health" })
        {
            using var response = await client.GetAsync(url);
            texts.Add(await response.Content.ReadAsStringAsync());
        }
        var info = JsonDocument.Parse(texts[1]).RootElement;
        var bad = JsonDocument.Parse(texts[2]).RootElement;

        Assert.All(texts, t => Assert.DoesNotContain(folder, t));
        Assert.All(texts, t => Assert.DoesNotContain(Path.GetDirectoryName(TestModels.First)!, t));
        Assert.Equal("not-there.zip", info.GetProperty("file").GetString());
        Assert.Contains("not-there.zip", info.GetProperty("error").GetString());
        Assert.Contains("broken.zip", bad.GetProperty("error").GetString());
    }

    [Fact]
    public async Task ModelInfo_DescribesTheCnnLayersAndTheSdcaChain()
    {
        using var client = factory.CreateClient();

        var cnn = (await GetAsync(client, "/api/models/cnn")).Body.GetProperty("details");
        var sdca = (await GetAsync(client, "/api/models/sdca")).Body.GetProperty("details");

        Assert.Equal("cnn", cnn.GetProperty("kind").GetString());
        Assert.Equal("fast", cnn.GetProperty("preset").GetString());
        Assert.Equal([1, 28, 28], cnn.GetProperty("inputShape").EnumerateArray().Select(d => d.GetInt32()));
        Assert.Contains("conv 24 5", cnn.GetProperty("layers").EnumerateArray().Select(l => l.GetString()));
        Assert.True(cnn.GetProperty("temperature").GetDouble() > 0);
        Assert.Equal(1, cnn.GetProperty("history").GetArrayLength());
        Assert.Contains("OnnxTransformer", cnn.GetProperty("transformers").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("ml.net", sdca.GetProperty("kind").GetString());
        Assert.Equal(JsonValueKind.Null, sdca.GetProperty("layers").ValueKind);
        Assert.Equal(
            ["ValueToKeyMappingTransformer", "NormalizingTransformer", "MulticlassPredictionTransformer<MaximumEntropyModelParameters>", "KeyToValueMappingTransformer"],
            sdca.GetProperty("transformers").EnumerateArray().Select(t => t.GetString()));
    }

    [Theory]
    [InlineData("/api/models/nope")]
    [InlineData("/api/models/..%2F..%2Fetc%2Fpasswd")]
    public async Task ModelInfo_UnknownNameIsAProblem(string url)
    {
        using var client = factory.CreateClient();

        AssertProblem(await GetAsync(client, url), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task UnknownApiRoute_IsAProblem()
    {
        using var client = factory.CreateClient();

        var (status, _, contentType) = await GetAsync(client, "/api/nothing-here");

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("application/problem+json", contentType);
    }

    [Fact]
    public async Task MissingModel_AppStartsDegradedAndSaysWhichFile()
    {
        var missing = Path.Combine(Path.GetTempPath(), "mlnd-no-such-model-" + Guid.NewGuid().ToString("N") + ".zip");
        using var degraded = WebAppFactory.With(new Dictionary<string, string?> { ["Models:Sdca"] = missing });
        using var client = degraded.CreateClient();

        var health = await GetAsync(client, "/api/health");
        var info = await GetAsync(client, "/api/models/sdca");
        var predict = await PostPngAsync(client, "/api/predict?model=sdca", SampleDigits.DrawingPng(0));
        var compare = await PostPngAsync(client, "/api/compare", SampleDigits.DrawingPng(0));
        var stillServes = await PostPngAsync(client, "/api/predict?model=cnn", SampleDigits.DrawingPng(0));

        Assert.Equal(HttpStatusCode.OK, health.Status);
        Assert.Equal("degraded", health.Body.GetProperty("status").GetString());
        Assert.Equal("missing", info.Body.GetProperty("status").GetString());
        Assert.Contains(Path.GetFileName(missing), info.Body.GetProperty("error").GetString());
        Assert.Contains(Path.GetFileName(missing), AssertProblem(predict, HttpStatusCode.ServiceUnavailable));
        var entries = compare.Body.GetProperty("models").EnumerateArray().ToArray();
        Assert.False(entries[1].GetProperty("available").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, stillServes.Status);
    }

    [Theory]
    [InlineData("not a zip at all")]
    [InlineData("zip without a model")]
    public async Task UnloadableModelFile_AppStartsDegradedAndSaysWhy(string content)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("mlnd-bad-").FullName, "bad.zip");
        if (content == "not a zip at all")
            File.WriteAllText(path, content);
        else
            using (var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Create))
                zip.CreateEntry("readme.txt");
        using var degraded = WebAppFactory.With(new Dictionary<string, string?> { ["Models:Cnn"] = path });
        using var client = degraded.CreateClient();

        var health = await GetAsync(client, "/api/health");
        var info = await GetAsync(client, "/api/models/cnn");

        Assert.Equal("degraded", health.Body.GetProperty("status").GetString());
        Assert.Equal("missing", info.Body.GetProperty("status").GetString());
        Assert.Contains("could not be loaded from bad.zip", info.Body.GetProperty("error").GetString());
        Assert.Equal(JsonValueKind.Null, info.Body.GetProperty("details").ValueKind);
        Assert.Equal(HttpStatusCode.OK, (await PostPngAsync(client, "/api/predict?model=sdca", SampleDigits.DrawingPng(0))).Status);
    }

    [Fact]
    public async Task MissingModel_IsServedOnceItsFileAppears()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("mlnd-later-").FullName, "later.zip");
        using var later = WebAppFactory.With(new Dictionary<string, string?> { ["Models:Sdca"] = path });
        using var client = later.CreateClient();
        Assert.Equal("missing", (await GetAsync(client, "/api/models/sdca")).Body.GetProperty("status").GetString());

        File.Copy(TestModels.Second, path);
        string? status = null;
        for (var waited = 0; waited < 15_000 && status != "ready"; waited += 250)
        {
            await Task.Delay(250);
            status = (await GetAsync(client, "/api/models/sdca")).Body.GetProperty("status").GetString();
        }

        Assert.Equal("ready", status);
        Assert.Equal(HttpStatusCode.OK, (await PostPngAsync(client, "/api/predict?model=sdca", SampleDigits.DrawingPng(0))).Status);
    }

    [Fact]
    public async Task NoModelAtAll_HealthIsUnhealthy()
    {
        var folder = Directory.CreateTempSubdirectory("mlnd-empty-").FullName;
        using var none = WebAppFactory.With(new Dictionary<string, string?>
        {
            ["Models:Cnn"] = Path.Combine(folder, "a.zip"),
            ["Models:Sdca"] = Path.Combine(folder, "b.zip"),
        });
        using var client = none.CreateClient();

        var health = await GetAsync(client, "/api/health");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.Status);
        Assert.Equal("unhealthy", health.Body.GetProperty("status").GetString());
    }

    [Fact]
    public async Task ChangedModelFile_IsReloadedAndTheNewVersionServed()
    {
        var path = TestModels.CopyOfFirst();
        using var watching = WebAppFactory.With(new Dictionary<string, string?> { ["Models:Cnn"] = path, ["Web:WatchModels"] = "true" });
        using var client = watching.CreateClient();
        var before = (await GetAsync(client, "/api/models/cnn")).Body.GetProperty("version").GetString();

        var temp = path + ".tmp";
        File.Copy(TestModels.Second, temp);
        File.Move(temp, path, overwrite: true);
        // The pool swaps the model in, then raises the event that counts the reload: wait for the count, which comes last.
        var info = (await GetAsync(client, "/api/models/cnn")).Body;
        for (var waited = 0; waited < 15_000 && info.GetProperty("reloads").GetInt32() == 0; waited += 100)
        {
            await Task.Delay(100);
            info = (await GetAsync(client, "/api/models/cnn")).Body;
        }
        var after = info.GetProperty("version").GetString();
        var predicted = await PostPngAsync(client, "/api/predict?model=cnn", SampleDigits.DrawingPng(0));

        Assert.Equal(1, info.GetProperty("reloads").GetInt32());
        Assert.NotEqual(before, after);
        Assert.Equal(after, predicted.Body.GetProperty("modelVersion").GetString());
    }

    [Fact]
    public async Task ChangedModelFile_ThatDoesNotLoad_LeavesTheOldModelServingAndNamesTheFile()
    {
        var path = TestModels.CopyOfFirst();
        using var watching = WebAppFactory.With(new Dictionary<string, string?> { ["Models:Cnn"] = path, ["Web:WatchModels"] = "true" });
        using var client = watching.CreateClient();
        var before = (await GetAsync(client, "/api/models/cnn")).Body;

        var temp = path + ".tmp";
        File.WriteAllText(temp, "not a model");
        File.Move(temp, path, overwrite: true);
        var after = before;
        for (var waited = 0; waited < 15_000 && after.GetProperty("error").ValueKind == JsonValueKind.Null; waited += 100)
        {
            await Task.Delay(100);
            after = (await GetAsync(client, "/api/models/cnn")).Body;
        }
        var predicted = await PostPngAsync(client, "/api/predict?model=cnn", SampleDigits.DrawingPng(0));

        var error = after.GetProperty("error").GetString()!;
        Assert.Contains("not a valid model file", error);
        Assert.Contains("model.zip", error);
        Assert.DoesNotContain("(stream)", error);
        Assert.DoesNotContain(Path.GetDirectoryName(path)!, error);
        Assert.Equal("ready", after.GetProperty("status").GetString());
        Assert.Equal(before.GetProperty("version").GetString(), after.GetProperty("version").GetString());
        Assert.Equal(0, after.GetProperty("reloads").GetInt32());
        Assert.Equal(HttpStatusCode.OK, predicted.Status);
        Assert.Equal(before.GetProperty("version").GetString(), predicted.Body.GetProperty("modelVersion").GetString());
    }
}

using System.Text.Json;

namespace MlNetDigits.Cli.Tests.Commands;

/// <summary>
/// Trains an SDCA model and a one-epoch "fast" CNN on the committed sample once, through <c>train --json</c>, for the
/// train, evaluate, compare and predict tests to share (training is the slow part).
/// </summary>
public sealed class TrainedModels : IAsyncLifetime
{
    private readonly TempFolder _temp = new();

    public string Folder => _temp.Path;

    public string SdcaPath => Path.Combine(Folder, "models", "sdca.zip");

    public string CnnPath => Path.Combine(Folder, "models", "cnn.zip");

    public (int ExitCode, string Out, string Error) Sdca { get; private set; }

    public (int ExitCode, string Out, string Error) Cnn { get; private set; }

    public async Task InitializeAsync()
    {
        Sdca = await CliRunner.RunAsync(["train", "--trainer", "sdca", "--epochs", "10", "--data", "sample", "--seed", "1", "--out", SdcaPath, "--json", "--data-dir", Folder]);
        Cnn = await CliRunner.RunAsync(["train", "--trainer", "cnn", "--preset", "fast", "--epochs", "1", "--data", "sample", "--seed", "1",
            "--threads", "2", "--out", CnnPath, "--json", "--data-dir", Folder]);
    }

    public Task DisposeAsync()
    {
        _temp.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Parses <paramref name="json"/>, failing the test with the text when it is not one JSON document.</summary>
    public static JsonDocument Parse(string json)
    {
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            Assert.Fail($"Standard output is not one JSON document ({e.Message}):\n{json}");
            throw;
        }
    }

    /// <summary>Asserts the metric fields every train/evaluate document has, and that they are consistent.</summary>
    public static void AssertMetricsDocument(JsonElement doc, int rows)
    {
        foreach (var name in new[] { "microAccuracy", "macroAccuracy", "logLoss", "logLossReduction", "ece" })
        {
            Assert.True(doc.TryGetProperty(name, out var value), $"missing '{name}'");
            Assert.Equal(JsonValueKind.Number, value.ValueKind);
        }
        var micro = doc.GetProperty("microAccuracy").GetDouble();
        Assert.InRange(micro, 0, 1);
        Assert.InRange(doc.GetProperty("ece").GetDouble(), 0, 1);
        Assert.True(doc.GetProperty("logLoss").GetDouble() > 0);
        Assert.Equal(rows, doc.GetProperty("rows").GetInt32());

        var matrix = doc.GetProperty("confusionMatrix").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetInt64()).ToArray()).ToArray();
        Assert.Equal(10, matrix.Length);
        Assert.All(matrix, row => Assert.Equal(10, row.Length));
        Assert.Equal(rows, matrix.Sum(r => r.Sum()));
        // Rows are the actual classes: the sample's test split has 100 images of each digit.
        Assert.All(matrix, row => Assert.Equal(100, row.Sum()));
        var diagonal = Enumerable.Range(0, 10).Sum(i => matrix[i][i]);
        Assert.Equal(micro, (double)diagonal / rows, 4);

        var perClass = doc.GetProperty("perClass").EnumerateArray().ToList();
        Assert.Equal(10, perClass.Count);
        for (int c = 0; c < 10; c++)
        {
            Assert.Equal(c.ToString(System.Globalization.CultureInfo.InvariantCulture), perClass[c].GetProperty("class").GetString());
            Assert.Equal(matrix[c][c] / 100.0, perClass[c].GetProperty("recall").GetDouble(), 4);
            Assert.InRange(perClass[c].GetProperty("precision").GetDouble(), 0, 1);
            Assert.InRange(perClass[c].GetProperty("f1").GetDouble(), 0, 1);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class TrainedModelsCollection : ICollectionFixture<TrainedModels>
{
    public const string Name = "trained sample models";
}

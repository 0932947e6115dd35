using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MlNetDigits.Cli.Reports;

/// <summary>
/// The JSON form of a <see cref="LearnerResult"/> printed by <c>--json</c> and stored as MODEL.metrics.json: ML.NET's
/// metrics under their names in camelCase, the calibration error and macro F1 from EvaluateDetailed, the confusion
/// matrix (rows = actual class), per-class figures and the costs. Non-finite numbers (a log-loss reduction on a
/// single-class test set) are written as null.
/// </summary>
internal static class MetricsJson
{
    /// <summary>Indented, with non-ASCII characters (class names) kept readable.</summary>
    public static JsonSerializerOptions Options { get; } = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The document of one learner.</summary>
    public static JsonObject ToJson(LearnerResult result)
    {
        var e = result.Evaluation;
        var m = e.Metrics;
        var cm = m.ConfusionMatrix;
        var perClass = new JsonArray();
        for (int c = 0; c < cm.NumberOfClasses; c++)
        {
            perClass.Add(new JsonObject
            {
                ["class"] = e.ClassNames[c],
                ["precision"] = Number(cm.PerClassPrecision[c]),
                ["recall"] = Number(cm.PerClassRecall[c]),
                ["f1"] = Number(e.PerClassF1[c]),
                ["logLoss"] = Number(m.PerClassLogLoss[c]),
                ["support"] = cm.Counts[c].Sum(),
            });
        }
        var matrix = new JsonArray();
        foreach (var row in cm.Counts)
            matrix.Add(new JsonArray([.. row.Select(v => (JsonNode?)JsonValue.Create((long)v))]));

        var json = new JsonObject
        {
            ["name"] = result.Name,
            ["description"] = result.Description,
            ["dataset"] = result.Dataset,
            ["model"] = result.ModelPath,
            ["modelBytes"] = result.ModelBytes,
            ["seed"] = result.Seed,
            ["rows"] = result.RowCount,
            ["microAccuracy"] = Number(m.MicroAccuracy),
            ["macroAccuracy"] = Number(m.MacroAccuracy),
            ["logLoss"] = Number(m.LogLoss),
            ["logLossReduction"] = Number(m.LogLossReduction),
            ["ece"] = Number(e.Calibration.ExpectedCalibrationError),
            ["macroF1"] = Number(e.MacroF1),
            ["misclassified"] = result.MisclassifiedCount,
        };
        if (result.TrainSeconds is { } seconds)
            json["trainSeconds"] = Number(seconds);
        if (result.LatencyMicroseconds is { } latency)
            json["latencyMicroseconds"] = Number(latency);
        json["classNames"] = new JsonArray([.. e.ClassNames.Select(n => (JsonNode?)JsonValue.Create(n))]);
        json["confusionMatrix"] = matrix;
        json["perClass"] = perClass;
        json["curves"] = new JsonArray([.. result.Curves.Select(c => (JsonNode?)new JsonObject
        {
            ["title"] = c.Title,
            ["x"] = c.XLabel,
            ["series"] = new JsonArray([.. c.Series.Select(s => (JsonNode?)new JsonObject
            {
                ["name"] = s.Name,
                ["points"] = new JsonArray([.. s.Points.Select(p => (JsonNode?)new JsonArray(Number(p.X), Number(p.Y)))]),
            })]),
        })]);
        return json;
    }

    /// <summary>The text of <paramref name="node"/>, indented.</summary>
    public static string Write(JsonNode node) => node.ToJsonString(Options);

    private static JsonValue? Number(double value) => double.IsFinite(value) ? JsonValue.Create(Math.Round(value, 6)) : null;
}

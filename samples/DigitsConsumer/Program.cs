// A consumer of the MlNetDigits package, written as an ML.NET user would: trains a small model with ML.NET's pipeline API
// and the package's extensions, classifies PNG files with the package's DigitClassifier, and writes test digits with its
// predictions to a CSV for samples/MlNetConsumer (which uses the official ML.NET packages alone) to check against.
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MlNetDigits;

try
{
    return args switch
    {
        ["train", var folder, var output, var trainer] => Train(folder, output, trainer),
        ["make-png", var folder, var index, var output] => MakePng(folder, int.Parse(index, CultureInfo.InvariantCulture), output),
        ["export-csv", var model, var folder, var count, var output] => ExportCsv(model, folder, int.Parse(count, CultureInfo.InvariantCulture), output),
        [var model, .. var pngs] when pngs.Length > 0 => Classify(model, pngs),
        _ => Usage(),
    };
}
catch (Exception e) when (e is IOException or InvalidImageException or InvalidModelException or ArgumentException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

static int Usage()
{
    Console.Error.WriteLine("""
        usage:
          DigitsConsumer <model.zip> <image.png>...                          classify PNG files
          DigitsConsumer train <idx-folder> <out.zip> sdca|cnn               train a small model (seconds)
          DigitsConsumer make-png <idx-folder> <index> <out.png>             write test digit <index> as a dark-on-white PNG
          DigitsConsumer export-csv <model.zip> <idx-folder> <n> <out.csv>   the first n test digits with this package's predictions
        """);
    return 2;
}

// Three lines of the library: load, classify, read the answer.
static int Classify(string modelPath, string[] pngs)
{
    using var classifier = DigitClassifier.Load(modelPath);
    Console.WriteLine($"model {classifier.Model} classes {string.Join(",", classifier.ClassNames)}");
    int mismatches = 0;
    foreach (var png in pngs)
    {
        var prediction = classifier.Classify(File.ReadAllBytes(png));
        var top3 = string.Join(" ", prediction.Ranked.Take(3).Select(c => $"{c.ClassName}:{c.Score:0.000}"));
        // Files named "...label-N.png" are checked against N.
        var expected = Path.GetFileNameWithoutExtension(png).Split("label-") is [_, var label] ? label : null;
        var verdict = expected is null ? "" : prediction.Digit == expected ? " OK" : $" MISMATCH (expected {expected})";
        if (expected is not null && prediction.Digit != expected)
            mismatches++;
        Console.WriteLine($"{Path.GetFileName(png)}: {prediction.Digit} ({prediction.Confidence:P1}){(prediction.IsUnsure ? " unsure" : "")} top3 {top3}{verdict}");
    }
    return mismatches == 0 ? 0 : 3;
}

static int Train(string folder, string output, string trainer)
{
    var ml = new MLContext(seed: 1);
    var train = ml.Data.LoadFromIdxFolder(folder, DatasetSplit.Train);
    var test = ml.Data.LoadFromIdxFolder(folder, DatasetSplit.Test);
    IEstimator<ITransformer> learner = trainer switch
    {
        "sdca" => ml.Transforms.NormalizeMinMax("Features", "Image")
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy("Label", "Features", maximumNumberOfIterations: 10)),
        "cnn" => ml.MulticlassClassification.Trainers.ImageClassification(new ImageClassificationTrainer.Options
        {
            LabelColumnName = "Label",
            FeatureColumnName = "Image",
            Preset = "fast",
            Epochs = 3,
        }),
        _ => throw new ArgumentException($"Unknown trainer '{trainer}': use sdca or cnn."),
    };
    var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
        .Append(learner)
        .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
    var model = pipeline.Fit(train);
    ml.Model.Save(model, train.Schema, output);
    var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));
    Console.WriteLine($"{output}: test micro-accuracy {metrics.MicroAccuracy:P1}");
    return 0;
}

static int MakePng(string folder, int index, string output)
{
    var ml = new MLContext(seed: 1);
    var row = ml.Data.CreateEnumerable<DigitRow>(ml.Data.LoadFromIdxFolder(folder, DatasetSplit.Test), reuseRowObject: false).Skip(index).First();
    // Dark ink on white paper, as a user's drawing or a scan would be; the classifier inverts it back.
    var pixels = row.Image.Select(v => (byte)(255 - (int)v)).ToArray();
    var path = output.Replace("{label}", row.Label.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
    File.WriteAllBytes(path, ImageCodec.EncodePng(GrayImage.FromBytes(28, 28, pixels)));
    Console.WriteLine(path);
    return 0;
}

static int ExportCsv(string modelPath, string folder, int count, string output)
{
    var ml = new MLContext(seed: 1);
    using var classifier = DigitClassifier.Load(modelPath);
    using var writer = new StreamWriter(output);
    foreach (var row in ml.Data.CreateEnumerable<DigitRow>(ml.Data.LoadFromIdxFolder(folder, DatasetSplit.Test), reuseRowObject: false).Take(count))
    {
        var digit = classifier.Classify28x28(row.Image).Digit;
        writer.WriteLine(string.Join(',', [row.Label.ToString(CultureInfo.InvariantCulture), digit, .. row.Image.Select(v => v.ToString(CultureInfo.InvariantCulture))]));
    }
    Console.WriteLine($"{output}: {count} test digits with {classifier.Model}'s predictions");
    return 0;
}

internal sealed class DigitRow
{
    public uint Label { get; set; }

    [VectorType(28, 28)]
    public float[] Image { get; set; } = [];
}

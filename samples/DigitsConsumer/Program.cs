// A consumer of the MlNetDigits package: classifies PNG files with a saved model, and (to be runnable anywhere) can make
// a PNG from an IDX sample and train a small SDCA model from one.
using System.Globalization;
using MlNetDigits;
using MlNetDigits.Core;
using MlNetDigits.Data;
using MlNetDigits.Data.Idx;
using MlNetDigits.Imaging;
using MlNetDigits.Prediction;
using MlNetDigits.Trainers;
using MlNetDigits.Transforms;

try
{
    return args switch
    {
        ["make-png", var folder, var index, var output] => MakePng(folder, int.Parse(index, CultureInfo.InvariantCulture), output),
        ["train", var folder, var output] => Train(folder, output),
        [var model, .. var pngs] when pngs.Length > 0 => Classify(model, pngs),
        _ => Usage(),
    };
}
catch (Exception e) when (e is IOException or InvalidImageException or MlNetDigits.Model.InvalidModelException or ArgumentException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

static int Usage()
{
    Console.Error.WriteLine("""
        usage:
          DigitsConsumer <model.zip> <image.png>...              classify PNG files
          DigitsConsumer make-png <idx-folder> <index> <out.png>  write test digit <index> as a dark-on-white PNG
          DigitsConsumer train <idx-folder> <out.zip>             train a small SDCA model (seconds)
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

static int MakePng(string folder, int index, string output)
{
    var context = new DigitsContext(seed: 1);
    var test = context.Data.LoadFromIdxFolder(folder, DatasetSplit.Test);
    var row = context.Data.CreateEnumerable<DigitRow>(test).Skip(index).First();
    // Dark ink on white paper, as a user's drawing or a scan would be; the classifier inverts it back.
    var pixels = row.Image.Select(v => (byte)(255 - (int)v)).ToArray();
    var path = output.Replace("{label}", row.Label.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
    File.WriteAllBytes(path, PngEncoder.EncodeGray(28, 28, pixels));
    Console.WriteLine(path);
    return 0;
}

static int Train(string folder, string output)
{
    var context = new DigitsContext(seed: 1);
    var train = context.Data.LoadFromIdxFolder(folder, DatasetSplit.Train);
    var pipeline = context.Transforms.ScalePixels("Features", "Image")
        .Append(context.MulticlassClassification.Trainers.SdcaMaximumEntropy(maximumNumberOfIterations: 10));
    var model = pipeline.Fit(train);
    context.Model.Save(model, train.Schema, output);
    var metrics = context.MulticlassClassification.Evaluate(model.Transform(context.Data.LoadFromIdxFolder(folder, DatasetSplit.Test)));
    Console.WriteLine($"{output}: test micro-accuracy {metrics.MicroAccuracy:P1}");
    return 0;
}

internal sealed class DigitRow
{
    public uint Label { get; set; }

    [VectorType(28, 28)]
    public float[] Image { get; set; } = [];
}

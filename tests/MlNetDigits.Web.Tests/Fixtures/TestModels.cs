using MlNetDigits.Core;
using MlNetDigits.Data.Idx;
using MlNetDigits.Trainers;
using MlNetDigits.Transforms;

namespace MlNetDigits.Web.Tests.Fixtures;

/// <summary>
/// Small models trained once per test run on the committed sample (2,000 digits), so the web tests do not depend on the
/// shipped models: two SDCA models that differ in their iteration count stand in for the "cnn" and "sdca" slots (the web
/// app serves any model with an Image input and a Score output). Training takes a few seconds.
/// </summary>
public static class TestModels
{
    private static readonly Lazy<string> Folder = new(Train);

    /// <summary>The committed sample copied beside the test assembly.</summary>
    public static string SampleFolder => Path.Combine(AppContext.BaseDirectory, "data", "sample");

    /// <summary>The data root holding sample/ (and no mnist/).</summary>
    public static string DataRoot => Path.Combine(AppContext.BaseDirectory, "data");

    /// <summary>The model for the "cnn" slot.</summary>
    public static string First => Path.Combine(Folder.Value, "first.zip");

    /// <summary>The model for the "sdca" slot.</summary>
    public static string Second => Path.Combine(Folder.Value, "second.zip");

    /// <summary>A fresh copy of <see cref="First"/> in a new folder (for tests that overwrite the file).</summary>
    public static string CopyOfFirst()
    {
        var folder = Directory.CreateTempSubdirectory("mlnd-web-copy-").FullName;
        var path = Path.Combine(folder, "model.zip");
        File.Copy(First, path);
        return path;
    }

    private static string Train()
    {
        var folder = Directory.CreateTempSubdirectory("mlnd-web-models-").FullName;
        var context = new DigitsContext(seed: 1);
        var train = context.Data.LoadFromIdxFolder(SampleFolder, DatasetSplit.Train);
        foreach (var (file, iterations) in new[] { ("first.zip", 12), ("second.zip", 2) })
        {
            var pipeline = context.Transforms.ScalePixels("Features", "Image", 1f / 255)
                .Append(context.MulticlassClassification.Trainers.SdcaMaximumEntropy(new SdcaMaximumEntropyMulticlassTrainer.Options
                {
                    LabelColumnName = "Label",
                    FeatureColumnName = "Features",
                    MaximumNumberOfIterations = iterations,
                    NumberOfThreads = 1,
                    Seed = 1,
                }));
            var model = pipeline.Fit(train);
            context.Model.Save(model, train.Schema, Path.Combine(folder, file));
        }
        return folder;
    }
}

using MlNetDigits.Core;
using MlNetDigits.Data.Idx;
using MlNetDigits.Trainers;
using MlNetDigits.Trainers.ImageClassification;
using MlNetDigits.Transforms;

namespace MlNetDigits.Web.Tests.Fixtures;

/// <summary>
/// Small models trained once per test run on the committed sample (2,000 digits), so the web tests do not depend on the
/// shipped models: a small CNN (the "fast" preset's optimiser with a narrower network, a few epochs) for the "cnn" slot and an SDCA model for the "sdca" slot.
/// Training both takes a few seconds.
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

    /// <summary>CNN epochs over the 2,000 sample digits.</summary>
    private const int Epochs = 6;

    private static string Train()
    {
        var folder = Directory.CreateTempSubdirectory("mlnd-web-models-").FullName;
        var context = new DigitsContext(seed: 1);
        var train = context.Data.LoadFromIdxFolder(SampleFolder, DatasetSplit.Train);
        var cnn = context.MulticlassClassification.Trainers.ImageClassification(new ImageClassificationTrainer.Options
        {
            Preset = "fast",
            Layers = ["conv 8 5", "maxpool 2", "relu", "conv 16 3", "maxpool 2", "relu", "flatten", "dense 64", "relu"],
            Epochs = Epochs,
            ValidationFraction = 0,
            Seed = 1,
            NumberOfThreads = 2,
        }).Fit(train);
        context.Model.Save(cnn, train.Schema, Path.Combine(folder, "first.zip"));
        var sdca = context.Transforms.ScalePixels("Features", "Image", 1f / 255)
            .Append(context.MulticlassClassification.Trainers.SdcaMaximumEntropy(new SdcaMaximumEntropyMulticlassTrainer.Options
            {
                LabelColumnName = "Label",
                FeatureColumnName = "Features",
                MaximumNumberOfIterations = 2,
                NumberOfThreads = 1,
                Seed = 1,
            })).Fit(train);
        context.Model.Save(sdca, train.Schema, Path.Combine(folder, "second.zip"));
        return folder;
    }
}

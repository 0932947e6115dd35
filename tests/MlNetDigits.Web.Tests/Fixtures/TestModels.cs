using Microsoft.ML;
using Microsoft.ML.Transforms;
using MlNetDigits.Web.Models;

namespace MlNetDigits.Web.Tests.Fixtures;

/// <summary>
/// Small models trained once per test run on the committed sample (2,000 digits) with the standard pipelines, saved with
/// <c>ml.Model.Save</c> as standard ML.NET zips, so the web tests do not depend on the shipped models: a CNN ("fast"
/// preset, one epoch) for the "cnn" slot and ML.NET's SDCA for the "sdca" slot. Training both takes a few seconds.
/// </summary>
public static class TestModels
{
    private static readonly Lazy<string> Folder = new(Train);

    /// <summary>The committed sample copied beside the test assembly.</summary>
    public static string SampleFolder => Path.Combine(AppContext.BaseDirectory, "data", "sample");

    /// <summary>The data root holding sample/ (and no mnist/).</summary>
    public static string DataRoot => Path.Combine(AppContext.BaseDirectory, "data");

    /// <summary>The CNN, served in the "cnn" slot.</summary>
    public static string First => Path.Combine(Folder.Value, "first.zip");

    /// <summary>The SDCA model, served in the "sdca" slot.</summary>
    public static string Second => Path.Combine(Folder.Value, "second.zip");

    /// <summary>A fresh copy of <see cref="First"/> in a new folder (for tests that overwrite the file).</summary>
    public static string CopyOfFirst()
    {
        var folder = Directory.CreateTempSubdirectory("mlnd-web-copy-").FullName;
        var path = Path.Combine(folder, "model.zip");
        File.Copy(First, path);
        return path;
    }

    /// <summary>
    /// A classifier of <paramref name="path"/> with the app's settings, to compare the API's answers with the library's.
    /// </summary>
    public static DigitClassifier LoadClassifier(string path) => DigitClassifier.Load(path, ModelCatalog.ClassifierOptions(watch: false));

    /// <summary>CNN epochs over the 2,000 sample digits.</summary>
    private const int Epochs = 1;

    /// <summary>
    /// The CNN's batch size: 32 gives 63 optimiser steps per epoch over the sample; the "fast" preset's 256 gives 8, which
    /// leave the network at 39 % on the sample's test split (it recognises 5 of the 10 test drawings) instead of 95 %.
    /// </summary>
    private const int BatchSize = 32;

    private static string Train()
    {
        var folder = Directory.CreateTempSubdirectory("mlnd-web-models-").FullName;
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromIdxFolder(SampleFolder, DatasetSplit.Train);
        var cnn = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Append(ml.MulticlassClassification.Trainers.ImageClassification(new ImageClassificationTrainer.Options
            {
                LabelColumnName = "Label",
                FeatureColumnName = "Image",
                Preset = "fast",
                Epochs = Epochs,
                BatchSize = BatchSize,
                Seed = 1,
                NumberOfThreads = 2,
            }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
            .Fit(train);
        ml.Model.Save(cnn, train.Schema, Path.Combine(folder, "first.zip"));
        var sdca = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Append(ml.Transforms.NormalizeMinMax("Features", "Image"))
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(new Microsoft.ML.Trainers.SdcaMaximumEntropyMulticlassTrainer.Options
            {
                LabelColumnName = "Label",
                FeatureColumnName = "Features",
                MaximumNumberOfIterations = 2,
                NumberOfThreads = 1,
            }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
            .Fit(train);
        ml.Model.Save(sdca, train.Schema, Path.Combine(folder, "second.zip"));
        return folder;
    }
}

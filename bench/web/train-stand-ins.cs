#:project ../../src/MlNetDigits/MlNetDigits.csproj
#:property PublishAot=false
// Stand-in models for the web load benchmark when the shipped ones (models/cnn-best.zip, models/sdca.zip) are not there:
// the same architectures, trained briefly on the committed sample with the standard pipelines and saved with
// ml.Model.Save. Throughput depends on the architecture, not on how well it was trained, so the figures carry over;
// accuracy does not.
//   dotnet run bench/web/train-stand-ins.cs -- OUT_FOLDER
using Microsoft.ML;
using Microsoft.ML.Trainers;
using Microsoft.ML.Transforms;
using MlNetDigits;

var output = args.Length > 0 ? args[0] : throw new ArgumentException("Usage: dotnet run bench/web/train-stand-ins.cs -- OUT_FOLDER");
Directory.CreateDirectory(output);
var sample = Path.Combine(AppContext.BaseDirectory, "data", "sample");
for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null && !Directory.Exists(sample); dir = dir.Parent)
    sample = Path.Combine(dir.FullName, "data", "sample");
var ml = new MLContext(seed: 1);
var train = ml.Data.LoadFromIdxFolder(sample, DatasetSplit.Train);

var cnn = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
    .Append(ml.MulticlassClassification.Trainers.ImageClassification(new ImageClassificationTrainer.Options
    {
        LabelColumnName = "Label",
        FeatureColumnName = "Image",
        Preset = "best",
        Epochs = 1,
        ValidationSetFraction = 0,
        Seed = 1,
    }))
    .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
    .Fit(train);
ml.Model.Save(cnn, train.Schema, Path.Combine(output, "cnn-best.zip"));

var sdca = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
    .Append(ml.Transforms.NormalizeMinMax("Features", "Image"))
    .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(new SdcaMaximumEntropyMulticlassTrainer.Options
    {
        LabelColumnName = "Label",
        FeatureColumnName = "Features",
    }))
    .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
    .Fit(train);
ml.Model.Save(sdca, train.Schema, Path.Combine(output, "sdca.zip"));
Console.WriteLine($"Wrote {Path.Combine(output, "cnn-best.zip")} and {Path.Combine(output, "sdca.zip")} (stand-ins trained on the committed sample).");

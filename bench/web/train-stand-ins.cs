#:project ../../src/MlNetDigits/MlNetDigits.csproj
#:property PublishAot=false
// Stand-in models for the web load benchmark when the shipped ones (models/cnn-best.zip, models/sdca.zip) are not there:
// the same architectures, trained briefly on the committed sample. Throughput depends on the architecture, not on how
// well it was trained, so the figures carry over; accuracy does not.
//   dotnet run bench/web/train-stand-ins.cs -- OUT_FOLDER
using MlNetDigits;
using MlNetDigits.Core;
using MlNetDigits.Data.Idx;
using MlNetDigits.Trainers;
using MlNetDigits.Trainers.ImageClassification;
using MlNetDigits.Transforms;

var output = args.Length > 0 ? args[0] : throw new ArgumentException("Usage: dotnet run bench/web/train-stand-ins.cs -- OUT_FOLDER");
Directory.CreateDirectory(output);
var sample = Path.Combine(AppContext.BaseDirectory, "data", "sample");
for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null && !Directory.Exists(sample); dir = dir.Parent)
    sample = Path.Combine(dir.FullName, "data", "sample");
var context = new DigitsContext(seed: 1);
var train = context.Data.LoadFromIdxFolder(sample, DatasetSplit.Train);

var cnn = context.MulticlassClassification.Trainers.ImageClassification(new ImageClassificationTrainer.Options
{
    Preset = "best",
    Epochs = 1,
    ValidationFraction = 0,
    Seed = 1,
}).Fit(train);
context.Model.Save(cnn, train.Schema, Path.Combine(output, "cnn-best.zip"));

var sdca = context.Transforms.ScalePixels("Features", "Image", 1f / 255)
    .Append(context.MulticlassClassification.Trainers.SdcaMaximumEntropy(new SdcaMaximumEntropyMulticlassTrainer.Options
    {
        LabelColumnName = "Label",
        FeatureColumnName = "Features",
        Seed = 1,
    })).Fit(train);
context.Model.Save(sdca, train.Schema, Path.Combine(output, "sdca.zip"));
Console.WriteLine($"Wrote {Path.Combine(output, "cnn-best.zip")} and {Path.Combine(output, "sdca.zip")} (stand-ins trained on the committed sample).");

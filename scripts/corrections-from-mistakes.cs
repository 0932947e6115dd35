#!/usr/bin/env -S dotnet run
#:project ../src/MlNetDigits/MlNetDigits.csproj
#:property Configuration=Release
#:property PublishAot=false
// Makes a corrections database for trying `mlnetdigits train --corrections`: the first N images of an IDX folder's
// training split that a model gets wrong, stored with their true labels, as CorrectionStore stores a person's correction.
// Training images only, so the test accuracy measured after a fine-tune is not flattered by test images.
//   dotnet run scripts/corrections-from-mistakes.cs -- MODEL.zip IDX_FOLDER OUT.db N
//   e.g. dotnet run scripts/corrections-from-mistakes.cs -- models/cnn-fast.zip data/mnist corrections.db 50
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetDigits;

if (args.Length != 4 || !int.TryParse(args[3], CultureInfo.InvariantCulture, out var count) || count < 1)
{
    Console.Error.WriteLine("usage: dotnet run scripts/corrections-from-mistakes.cs -- MODEL.zip IDX_FOLDER OUT.db N");
    return 2;
}
var (modelPath, folder, database) = (args[0], args[1], args[2]);
if (File.Exists(database))
{
    Console.Error.WriteLine($"'{database}' already exists; give a new file, so no earlier corrections are mixed in.");
    return 1;
}
var ml = new MLContext(0);
var model = ml.Model.Load(modelPath, out _);
var train = ml.Data.LoadFromIdxFolder(folder, DatasetSplit.Train);
var labels = ml.Data.CreateEnumerable<LabelRow>(train, reuseRowObject: false).Select(r => r.Label).ToList();
var scored = model.Transform(train);
var store = CorrectionStore.Open(database);
// Every column is asked for: an ONNX model asked for "Score" alone fails inside ONNX Runtime.
using var cursor = scored.GetRowCursor(scored.Schema);
var getImage = cursor.GetGetter<VBuffer<float>>(scored.Schema["Image"]);
var getScore = cursor.GetGetter<VBuffer<float>>(scored.Schema["Score"]);
VBuffer<float> image = default, score = default;
int added = 0;
while (added < count && cursor.MoveNext())
{
    getScore(ref score);
    var scores = score.DenseValues().ToArray();
    int predicted = Array.IndexOf(scores, scores.Max());
    var label = labels[(int)cursor.Position];
    if (predicted == label)
        continue;
    getImage(ref image);
    store.Add(label, image.DenseValues().ToArray(), predicted.ToString(CultureInfo.InvariantCulture), Path.GetFileNameWithoutExtension(modelPath), "mistakes");
    added++;
}
Console.WriteLine($"{added} corrections from the first {cursor.Position + 1:N0} training images into {store.Path}");
return added == count ? 0 : 1;

sealed class LabelRow
{
    public uint Label { get; set; }
}

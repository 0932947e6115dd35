// Loads an ML.NET model file trained by MlNetDigits (its CNN is ONNX inside) and classifies digits read from a CSV,
// with nothing but Microsoft.ML, Microsoft.ML.OnnxTransformer and Microsoft.ML.OnnxRuntime. Each CSV row is
// "label,expected,p0,...,p783": the true digit, the digit the MlNetDigits library predicted for it, and the 28x28 raw
// pixels (0..255, white ink on black). Exits 0 when every prediction equals the library's, 3 otherwise.
using Microsoft.ML;
using Microsoft.ML.Data;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: MlNetConsumer <model.zip> <digits.csv>");
    return 2;
}

var ml = new MLContext(seed: 1);
var model = ml.Model.Load(args[0], out var inputSchema);
Console.WriteLine($"model {args[0]}: input columns {string.Join(", ", inputSchema.Select(c => $"{c.Name} ({c.Type})"))}");
var digits = ml.Data.LoadFromTextFile<Digit>(args[1], separatorChar: ',');
var engine = ml.Model.CreatePredictionEngine<Digit, Prediction>(model);

int rows = 0, correct = 0, disagreements = 0;
foreach (var digit in ml.Data.CreateEnumerable<Digit>(digits, reuseRowObject: false))
{
    var prediction = engine.Predict(digit);
    rows++;
    if (prediction.PredictedLabel == digit.Label)
        correct++;
    if (prediction.PredictedLabel != digit.Expected)
        disagreements++;
    if (rows <= 5)
        Console.WriteLine($"digit {digit.Label}: predicted {prediction.PredictedLabel} (p = {prediction.Score.Max():0.000}), library said {digit.Expected}");
}
Console.WriteLine($"{rows} digits: {correct} right; {disagreements} predictions differ from the library's");
return disagreements == 0 && rows > 0 ? 0 : 3;

internal sealed class Digit
{
    [LoadColumn(0)]
    public uint Label { get; set; }

    [LoadColumn(1)]
    public uint Expected { get; set; }

    [LoadColumn(2, 785), VectorType(28, 28)]
    public float[] Image { get; set; } = [];
}

internal sealed class Prediction
{
    // The shipped pipelines end with MapKeyToValue("PredictedLabel"), so this is the digit itself.
    public uint PredictedLabel { get; set; }

    public float[] Score { get; set; } = [];
}

using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Transforms;
using MlNetDigits;

// Usage: dotnet run -c Release --project bench/MlNetDigits.Bench.NotADigit -- [--mnist DIR] [--fashion DIR]
//        [--preset fast] [--epochs N] [--seed 1] [--threads 2] [--rate 0.008] [--model model.zip] [--save model.zip]
//        [--lines-from-vertical 45] [--diagnostics]
// Trains a CNN on the first 54,000 MNIST training images (the last 6,000 are its validation images: temperature and the
// not-a-digit threshold), or loads --model (a CNN trained on that split; without an OodScore it gets one here, fitted on
// the same split), then:
// 1. compares candidate OOD scores computed here from the network's logits and penultimate features, on MNIST test
//    (in-distribution, 28x28 as they are) against Fashion-MNIST test (as they are) and generated non-digits drawn like
//    the web pad's strokes and preprocessed like a user's drawing (AUROC per set; % of MNIST test over the threshold
//    that flags 1 % of the validation images);
// 2. measures the ink the rules look at;
// 3. measures the library's answer: DigitClassifier (ink rules, then the model's OodScore or, for models without one,
//    the top probability) on every set, through ML.NET's PredictionEngine as an app runs it.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var options = ParseArgs(args);
string Get(string key, string fallback) => options.TryGetValue(key, out var v) ? v : fallback;
var mnistDir = Get("mnist", "/work/data-cache/mnist");
var fashionDir = Get("fashion", "/usr/share/datasets/fashion-mnist");
int seed = int.Parse(Get("seed", "1"));
int threads = int.Parse(Get("threads", "2"));
double rate = double.Parse(Get("rate", ImageClassificationTrainer.Defaults.OodFalsePositiveRate.ToString(CultureInfo.InvariantCulture)));
var clock = Stopwatch.StartNew();

var ml = new MLContext(seed: 1);
var mnistTrain = (IdxDataView)ml.Data.LoadFromIdxFolder(mnistDir, DatasetSplit.Train);
var mnistTest = (IdxDataView)ml.Data.LoadFromIdxFolder(mnistDir, DatasetSplit.Test);
var fashionTest = (IdxDataView)ml.Data.LoadFromIdx(Path.Combine(fashionDir, "t10k-images-idx3-ubyte.gz"), Path.Combine(fashionDir, "t10k-labels-idx1-ubyte.gz"));
const int TrainCount = 54_000;

// The model: trained on rows 0..53,999 with rows 54,000..59,999 as validation images, or loaded.
var keyed = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue).Fit(mnistTrain).Transform(mnistTrain);
var trainRows = ml.Data.TakeRows(keyed, TrainCount);
var validationRows = ml.Data.SkipRows(keyed, TrainCount);
ImageClassificationTransformer model;
if (options.TryGetValue("model", out var modelPath))
{
    model = ImageClassificationTransformer.Load(ml, modelPath);
    if (!model.Info.HasOodScore || options.ContainsKey("refit"))
        model = model.WithOodScore(trainRows, validationRows, rate);
}
else
{
    model = ml.MulticlassClassification.Trainers.ImageClassification(new ImageClassificationTrainer.Options
    {
        Preset = Get("preset", "fast"),
        Epochs = options.ContainsKey("epochs") ? int.Parse(options["epochs"]) : null,
        Seed = seed,
        NumberOfThreads = threads,
        ProgressInterval = 0,
        ValidationSet = validationRows,
        OodFalsePositiveRate = rate,
        MetricsCallback = p => { if (p.Kind != TrainingProgressKind.Batch) Console.WriteLine($"# {p}"); },
    }).Fit(trainRows);
}
if (options.TryGetValue("save", out var savePath))
    ml.Model.Save(model, keyed.Schema, savePath);
var ood = model.Info.Ood!;
Console.WriteLine($"model: {string.Join(", ", model.Info.Layers)}; T = {model.Temperature:F3}; OodScore: {ood.Method} on {ood.FeatureCount} features of {ood.TrainingCount} training images, " +
    $"energy median {ood.EnergyMedian:F3} tail {ood.EnergyTail:F3}, distance median {ood.DistanceMedian:F1} tail {ood.DistanceTail:F1}, threshold {ood.Threshold:F4} flags {ood.ValidationFlaggedShare:P2} of {ood.ValidationCount} validation images; {clock.Elapsed.TotalSeconds:F0} s");

// The images, raw 0..255 (N, 784).
float[] Floats(ReadOnlyMemory<byte> bytes, int from, int count) => [.. bytes.Span.Slice(from * 784, count * 784).ToArray().Select(b => (float)b)];
var trainPixels = Floats(mnistTrain.Pixels, 0, TrainCount);
var trainLabels = mnistTrain.Labels.Span[..TrainCount].ToArray().Select(b => (int)b).ToArray();
var validationPixels = Floats(mnistTrain.Pixels, TrainCount, mnistTrain.RowCount - TrainCount);
var testPixels = Floats(mnistTest.Pixels, 0, mnistTest.RowCount);
var fashionPixels = Floats(fashionTest.Pixels, 0, fashionTest.RowCount);

// Generated non-digits, drawn on a 280x280 canvas like the web pad; letters keep their letter for the look-alike split.
var random = new Random(seed);
double linesFromVertical = double.Parse(Get("lines-from-vertical", "45"));
var generated = new List<(string Set, string Letter, GrayImage Image)>();
generated.AddRange(NonDigitImages.Blank(100, random).Select(i => ("blank", "", i)));
generated.AddRange(NonDigitImages.Dots(300, random).Select(i => ("dots", "", i)));
generated.AddRange(NonDigitImages.Lines(300, random, linesFromVertical).Select(i => ("lines", "", i)));
generated.AddRange(NonDigitImages.Scribbles(300, random).Select(i => ("scribbles", "", i)));
generated.AddRange(NonDigitImages.Letters().Select(l => ("letters", l.Letter, l.Image)));
var preprocessed = generated.Select(g => DigitPreprocessor.Preprocess(g.Image)).ToArray();
var generatedPixels = preprocessed.SelectMany(p => p.Pixels).ToArray();
// "O", "o", "I" and "l" are drawn exactly as "0" and "1" are written: the second letters column leaves them out.
string[] lookAlikes = ["O", "o", "I", "l"];
string[] sets = ["blank", "dots", "lines", "scribbles", "letters", "letters*"];
bool InSet(int i, string set) => set == "letters*"
    ? generated[i].Set == "letters" && !lookAlikes.Contains(generated[i].Letter)
    : generated[i].Set == set;
Console.WriteLine($"images: {TrainCount} train, {validationPixels.Length / 784} validation, {testPixels.Length / 784} MNIST test, {fashionPixels.Length / 784} Fashion test, " +
    $"{string.Join(", ", sets.Select(s => $"{Enumerable.Range(0, generated.Count).Count(i => InSet(i, s))} {s}"))}; {clock.Elapsed.TotalSeconds:F0} s");

// 0. The slant of MNIST's ones, which decides which strokes count as lines rather than ones.
Console.WriteLine();
Console.WriteLine("## The slant of MNIST's training '1's (principal axis, degrees from vertical)");
var slants = Enumerable.Range(0, mnistTrain.RowCount).Where(i => mnistTrain.Labels.Span[i] == 1)
    .Select(i => InkMeasures.DegreesFromVertical(Floats(mnistTrain.Pixels, i, 1))).Order().ToArray();
Console.WriteLine($"ones={slants.Length} median={Quantile(slants, 0.5):F1} p95={Quantile(slants, 0.95):F1} p99={Quantile(slants, 0.99):F1} max={slants[^1]:F1}; lines are drawn at least {linesFromVertical:F0} degrees from vertical");

// 1. Candidate scores on the same network.
var network = new NetworkOutputs(model, threads);
var (trainLogits, trainFeatures) = network.Run(trainPixels);
var (validationLogits, validationFeatures) = network.Run(validationPixels);
var (testLogits, testFeatures) = network.Run(testPixels);
var (fashionLogits, fashionFeatures) = network.Run(fashionPixels);
var (generatedLogits, generatedFeatures) = network.Run(generatedPixels);
Console.WriteLine($"network outputs: K={network.Classes}, F={network.FeatureCount}; {clock.Elapsed.TotalSeconds:F0} s");

var methods = new List<(string Name, Func<float[], float[], double[]> Score)>
{
    ("MSP, T = 1 (Hendrycks & Gimpel 2017)", (z, _) => CandidateScores.MaxSoftmax(z, network.Classes, 1)),
    ($"MSP, calibrated T = {model.Temperature:F2}", (z, _) => CandidateScores.MaxSoftmax(z, network.Classes, model.Temperature)),
    ("energy, T = 1 (Liu et al. 2020)", (z, _) => CandidateScores.Energy(z, network.Classes)),
};
var mahalanobis = new Dictionary<double, CandidateScores.Mahalanobis>();
foreach (var ridge in new[] { 1e-6, 1e-3, 1e-1 })
{
    var fitted = mahalanobis[ridge] = new CandidateScores.Mahalanobis(trainFeatures, trainLabels, network.Classes, ridge);
    methods.Add(($"Mahalanobis, tied cov., ridge {ridge:G1} (Lee et al. 2018)", (_, f) => fitted.Score(f)));
    var background = new CandidateScores.Mahalanobis(trainFeatures, new int[trainLabels.Length], 1, ridge);
    methods.Add(($"relative Mahalanobis, ridge {ridge:G1} (Ren et al. 2021)", (_, f) => [.. fitted.Score(f).Zip(background.Score(f), (a, b) => a - b)]));
}
// The union of two detectors: each score in units of its own validation tail, u = (s − q) / (q − m) with m the median and
// q the 99.5 % quantile (half of the 1 % each), so 0 is each one's threshold and −1 its typical value; the max flags
// when either is past its threshold. The library's choice, with the ridge 1e-3.
var validationEnergy = CandidateScores.Energy(validationLogits, network.Classes);
var validationDistance = mahalanobis[1e-3].Score(validationFeatures);
double[] TailUnits(double[] values, double[] validation)
{
    var sorted = validation.Order().ToArray();
    double median = Quantile(sorted, 0.5), tail = Quantile(sorted, 0.995);
    return [.. values.Select(v => (v - tail) / (tail - median))];
}
methods.Add(("energy ∪ Mahalanobis 1e-3, in tail units", (z, f) =>
    [.. TailUnits(CandidateScores.Energy(z, network.Classes), validationEnergy).Zip(TailUnits(mahalanobis[1e-3].Score(f), validationDistance), Math.Max)]));
if (options.ContainsKey("diagnostics"))
{
    var identity = new CandidateScores.Mahalanobis(trainFeatures, trainLabels, network.Classes, 1e6);
    methods.Add(("Euclidean to nearest class mean (diagnostic)", (_, f) => identity.Score(f)));
    methods.Add(("feature norm (diagnostic)", (_, f) => [.. Enumerable.Range(0, f.Length / network.FeatureCount).Select(i => (double)System.Numerics.Tensors.TensorPrimitives.Norm<float>(f.AsSpan(i * network.FeatureCount, network.FeatureCount)))]));
    var logitGaussian = new CandidateScores.Mahalanobis(trainLogits, trainLabels, network.Classes, 1e-6);
    methods.Add(("Mahalanobis on the logits (diagnostic)", (z, _) => logitGaussian.Score(z)));
    var knn = new CandidateScores.NearestNeighbours(trainFeatures, network.FeatureCount, 10_000, 50);
    methods.Add(("k-NN, k = 50 of 10,000 normalised training features (Sun et al. 2022; diagnostic)", (_, f) => knn.Score(f)));
}

Console.WriteLine();
Console.WriteLine("## Candidate scores: AUROC against MNIST test; % of MNIST test over the threshold that flags 1 % of validation");
Console.WriteLine($"| score | Fashion | {string.Join(" | ", sets)} | generated | overall | % MNIST test flagged |");
Console.WriteLine($"|---|---|{string.Concat(sets.Select(_ => "---|"))}---|---|---|");
var operating = new List<string> { $"| score | Fashion | {string.Join(" | ", sets)} |", $"|---|---|{string.Concat(sets.Select(_ => "---|"))}" };
foreach (var (name, score) in methods)
{
    var test = score(testLogits, testFeatures);
    var fashion = score(fashionLogits, fashionFeatures);
    var made = score(generatedLogits, generatedFeatures);
    double threshold = CandidateScores.Threshold(score(validationLogits, validationFeatures), 0.01);
    Console.WriteLine($"| {name} | {string.Join(" | ", AurocCells(test, fashion, made))} | {100.0 * test.Count(s => s > threshold) / test.Length:F2} |");
    string Over(IEnumerable<double> values) => $"{100.0 * values.Count(v => v > threshold) / values.Count():F1}";
    operating.Add($"| {name} | {Over(fashion)} | {string.Join(" | ", sets.Select(set => Over(made.Where((_, i) => InSet(i, set)))))} |");
}
Console.WriteLine();
Console.WriteLine("% of each set over that threshold (the score alone, no ink rules):");
operating.ForEach(Console.WriteLine);

// 2. Ink rules: measured on MNIST test (as they are and through the preprocessor) and on the generated sets.
Console.WriteLine();
Console.WriteLine("## Ink (extent: the ink box's longer side / the image's shorter side; ink: Σ pixels / 255 of the 28x28 image)");
void Describe(string what, InkMeasures[] m)
{
    var extent = m.Select(x => x.Extent).Order().ToArray();
    var ink = m.Select(x => x.Ink).Order().ToArray();
    Console.WriteLine($"{what}: n={m.Length} no-ink={m.Count(x => !x.HasInk)} extent min={extent[0]:F3} p0.1={Quantile(extent, 0.001):F3} median={Quantile(extent, 0.5):F3}; ink min={ink[0]:F1} p0.1={Quantile(ink, 0.001):F1} median={Quantile(ink, 0.5):F1}");
}
Describe("MNIST test, 28x28 as they are", [.. Enumerable.Range(0, testPixels.Length / 784).Select(i => InkMeasures.Of28x28(testPixels.AsSpan(i * 784, 784)))]);
Describe("MNIST test, through the preprocessor", [.. Enumerable.Range(0, testPixels.Length / 784)
    .Select(i => InkMeasures.Of(DigitPreprocessor.Preprocess(GrayImage.FromFloats(28, 28, testPixels.AsSpan(i * 784, 784)))))]);
Describe("Fashion test, 28x28 as they are", [.. Enumerable.Range(0, fashionPixels.Length / 784).Select(i => InkMeasures.Of28x28(fashionPixels.AsSpan(i * 784, 784)))]);
var generatedInk = preprocessed.Select(InkMeasures.Of).ToArray();
foreach (var set in sets)
    Describe($"generated {set}", [.. generatedInk.Where((_, i) => InSet(i, set))]);

// 3. The library's answer.
Console.WriteLine();
Console.WriteLine("## The digit facade's answer (DigitClassifier: ink rules, then the model's OodScore or, without one, its top probability)");
var classifiers = new List<(string Name, DigitClassifier Classifier)>
{
    ($"this CNN, OodScore threshold chosen on validation ({ood.ValidationFlaggedShare:P2} of it flagged)", DigitClassifier.FromModel(model, mnistTrain.Schema, name: "cnn")),
};
foreach (var shipped in new[] { "sdca", "cnn-fast", "cnn-best" })
    if (ShippedModels.TryFind(shipped) is { } shippedPath && CnnModelInfo.TryReadOnnxFromModelFile(shippedPath) is var onnx && (onnx is null || !CnnModelInfo.FromOnnx(onnx).HasOodScore))
        classifiers.Add(($"models/{shipped}.zip, no OodScore: top probability < {DigitClassifierOptions.Defaults.FallbackMinimumConfidence:F2}", DigitClassifier.Load(shippedPath)));
var flaggedTable = new List<string> { $"| model | % MNIST test (by ink rules) | Fashion | {string.Join(" | ", sets)} |", $"|---|---|---|{string.Concat(sets.Select(_ => "---|"))}" };
var aurocTable = new List<string> { $"| model | Fashion | {string.Join(" | ", sets)} | generated | overall |", $"|---|---|{string.Concat(sets.Select(_ => "---|"))}---|---|" };
var details = new List<string>();
foreach (var (name, classifier) in classifiers)
{
    DigitPrediction[] Answers(float[] pixels) => [.. Enumerable.Range(0, pixels.Length / 784).Select(i => classifier.Classify28x28(pixels.AsSpan(i * 784, 784)))];
    var onTest = Answers(testPixels);
    var onFashion = Answers(fashionPixels);
    var onGenerated = generated.Select(g => classifier.Classify(g.Image)).ToArray();
    static bool ByInk(DigitPrediction p) => p.NotADigitReason is NotADigitReason.Blank or NotADigitReason.Dot or NotADigitReason.TooLittleInk;
    // Ranking: answers of the ink rules above everything, then the model's score (or the top probability's complement).
    static double Rank(DigitPrediction p) => ByInk(p) ? double.PositiveInfinity : p.NotADigitScore ?? -p.Confidence;
    static string Share(IEnumerable<DigitPrediction> answers) => $"{100.0 * answers.Count(p => !p.IsDigit) / answers.Count():F1}";
    flaggedTable.Add($"| {name} | {100.0 * onTest.Count(p => !p.IsDigit) / onTest.Length:F2} ({onTest.Count(ByInk)}) | {Share(onFashion)} | " +
        $"{string.Join(" | ", sets.Select(s => Share(onGenerated.Where((_, i) => InSet(i, s)))))} |");
    aurocTable.Add($"| {name} | {string.Join(" | ", AurocCells(onTest.Select(Rank).ToArray(), onFashion.Select(Rank).ToArray(), onGenerated.Select(Rank).ToArray()))} |");
    details.Add($"{name}:");
    foreach (var set in sets.Take(5))
        details.Add($"  {set}: {string.Join(", ", onGenerated.Where((_, i) => InSet(i, set)).GroupBy(p => p.NotADigitReason).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}"))}");
    details.Add($"  letters taken for digits (of {NonDigitImages.FontFiles.Length} faces): {string.Join(" ", generated.Select((g, i) => (g, i)).Where(x => x.g.Set == "letters" && onGenerated[x.i].IsDigit).GroupBy(x => x.g.Letter).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}{g.Count()}"))}");
    var confidences = onTest.Select(p => (double)p.Confidence).Order().ToArray();
    details.Add($"  MNIST test top probability: p0.5={Quantile(confidences, 0.005):F3} p1={Quantile(confidences, 0.01):F3}; below 0.3 / 0.4 / 0.5: {confidences.Count(c => c < 0.3)} / {confidences.Count(c => c < 0.4)} / {confidences.Count(c => c < 0.5)}");
    classifier.Dispose();
}
Console.WriteLine("% flagged not a digit, per set:");
flaggedTable.ForEach(Console.WriteLine);
Console.WriteLine();
Console.WriteLine("AUROC of the answer against MNIST test (the ink rules' answers rank first):");
aurocTable.ForEach(Console.WriteLine);
Console.WriteLine();
details.ForEach(Console.WriteLine);
Console.WriteLine($"done in {clock.Elapsed.TotalSeconds:F0} s");

// AUROC per set, then all generated images, then everything (Fashion and generated) against the in-distribution scores.
IEnumerable<string> AurocCells(double[] test, double[] fashion, double[] made)
{
    yield return $"{Auroc.Of(test, fashion):F4}";
    foreach (var set in sets)
        yield return $"{Auroc.Of(test, [.. made.Where((_, i) => InSet(i, set))]):F4}";
    yield return $"{Auroc.Of(test, made):F4}";
    yield return $"{Auroc.Of(test, [.. fashion, .. made]):F4}";
}

static double Quantile(double[] sorted, double q) => sorted[Math.Clamp((int)Math.Floor(q * (sorted.Length - 1)), 0, sorted.Length - 1)];

static Dictionary<string, string> ParseArgs(string[] args)
{
    var result = new Dictionary<string, string>();
    for (int i = 0; i < args.Length; i++)
    {
        if (!args[i].StartsWith("--", StringComparison.Ordinal))
            throw new ArgumentException($"Unexpected argument '{args[i]}'; options start with --.");
        var key = args[i][2..];
        result[key] = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : "true";
    }
    return result;
}

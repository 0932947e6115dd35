using System.Diagnostics;
using System.Globalization;
using MlNetDigits.Bench.Numbers;
using MlNetDigits;

// Usage: MlNetDigits.Bench.Numbers [--data <idx folder>] [--model <zip>] [--count 2000] [--seed 1] [--digits 4]
//        [--min-scale 0.8] [--max-scale 1.25] [--min-gap -0.15] [--max-gap 0.5] [--jitter 3] [--polarity mixed|white|dark]
//        [--dump <folder for pictures of failures> [--dump-count 20]] [--set <NumberSegmenterOptions property>=<value>]...
//        [--mode geometry|recognised|facade|both|all]   (facade: DigitClassifier.ReadNumber end to end, as users call it)
//        [--unsure-segmentation 0.8]   (a number is flagged unsure below this DigitSegment.SegmentationConfidence too)
//        [--fit <numbers>]   (fits the segmenter's cut weights on numbers from the training digits, prints them and stops)
// Composes --count numbers from the MNIST test digits in --data, reads each with NumberSegmenter + DigitPreprocessor +
// the model, and prints whole-number and per-digit accuracy, segment-count errors, failure causes and the same by the
// closest pair of digits in the number. Deterministic for a seed.
var argList = args.ToList();
string Option(string name, string fallback)
{
    int i = argList.IndexOf(name);
    if (i < 0 || i + 1 >= argList.Count)
        return fallback;
    var value = argList[i + 1];
    argList.RemoveRange(i, 2);
    return value;
}
float Number(string name, string fallback) => float.Parse(Option(name, fallback), CultureInfo.InvariantCulture);
var dataFolder = Option("--data", "data/sample");
var modelPath = Option("--model", "models/cnn-best.zip");
int count = (int)Number("--count", "2000");
int seed = (int)Number("--seed", "1");
int fitCount = (int)Number("--fit", "0");
float segmentationThreshold = Number("--unsure-segmentation", "0.8");
var dumpFolder = Option("--dump", "");
int dumpCount = (int)Number("--dump-count", "20");
var segmenterOptions = new NumberSegmenterOptions();
for (string set; (set = Option("--set", "")).Length > 0;)
{
    // --set Name=value changes one NumberSegmenterOptions property (float or int), for tuning.
    var parts = set.Split('=', 2);
    var property = typeof(NumberSegmenterOptions).GetProperty(parts[0])
        ?? throw new ArgumentException($"--set {set}: NumberSegmenterOptions has no property '{parts[0]}'.");
    property.SetValue(segmenterOptions, Convert.ChangeType(parts[1], property.PropertyType, CultureInfo.InvariantCulture));
}
var modes = Option("--mode", "both") switch
{
    "both" => new[] { "geometry", "recognised" },
    "all" => ["geometry", "recognised", "facade"],
    var one and ("geometry" or "recognised" or "facade") => [one],
    var other => throw new ArgumentException($"--mode takes geometry, recognised, facade, both or all; found '{other}'."),
};
var settings = new NumberComposer.Settings(
    Digits: (int)Number("--digits", "4"),
    MinScale: Number("--min-scale", "0.8"),
    MaxScale: Number("--max-scale", "1.25"),
    MinGap: Number("--min-gap", "-0.15"),
    MaxGap: Number("--max-gap", "0.5"),
    Jitter: Number("--jitter", "3"),
    Polarity: Option("--polarity", "mixed"),
    InkThreshold: segmenterOptions.Preprocessing.InkThreshold);

var (imagesPath, labelsPath) = IdxFileNames.Locate(dataFolder, DatasetSplit.Test);
var (idx, labels) = IdxReader.ReadPair(imagesPath, labelsPath);
var images = Enumerable.Range(0, idx.Count).Select(i => idx.GetImage(i).ToArray()).ToArray();
using var scorer = new DigitClassifierScorer(modelPath);
Console.WriteLine($"# {DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} processors; {images.Length} test digits from {dataFolder}; model {modelPath}");
Console.WriteLine($"# {count} numbers of {settings.Digits} digits, seed {seed}: scale {settings.MinScale}-{settings.MaxScale}, " +
    $"gap {settings.MinGap:+0.00;-0.00}..{settings.MaxGap:+0.00;-0.00} of the mean width, jitter ±{settings.Jitter} px, polarity {settings.Polarity}");

// Reads one digit image as the facade would: MNIST-style preprocessing, then the model.
(int Digit, float Confidence) Read(GrayImage image)
{
    var probabilities = scorer.Score(DigitPreprocessor.Preprocess(image).Pixels);
    int best = 0;
    for (int k = 1; k < probabilities.Length; k++)
        if (probabilities[k] > probabilities[best])
            best = k;
    return (best, probabilities[best]);
}

static float ColumnOverlap(PixelRect a, PixelRect b)
{
    int inter = Math.Min(a.X + a.Width, b.X + b.Width) - Math.Max(a.X, b.X);
    int union = Math.Max(a.X + a.Width, b.X + b.Width) - Math.Min(a.X, b.X);
    return Math.Max(0, inter) / (float)union;
}

static GrayImage Crop(GrayImage image, PixelRect box)
{
    var crop = new GrayImage(box.Width, box.Height);
    for (int y = 0; y < box.Height; y++)
        image.Pixels.AsSpan((box.Y + y) * image.Width + box.X, box.Width).CopyTo(crop.Pixels.AsSpan(y * box.Width));
    return crop;
}

if (fitCount > 0)
{
    // Fit the segmenter's cut weights on numbers composed from the training digits (never the test digits benchmarked below).
    var (trainImagesPath, trainLabelsPath) = IdxFileNames.Locate(dataFolder, DatasetSplit.Train);
    var (trainIdx, trainLabels) = IdxReader.ReadPair(trainImagesPath, trainLabelsPath);
    var trainImages = Enumerable.Range(0, trainIdx.Count).Select(i => trainIdx.GetImage(i).ToArray()).ToArray();
    Console.WriteLine($"# fitting cut weights on {fitCount} numbers from {trainImages.Length} training digits");
    CutWeightFit.Run(new NumberComposer(trainImages, trainLabels, settings), new Random(seed), fitCount, segmenterOptions, crop => Read(crop).Confidence);
    return;
}

string[] bucketNames = ["overlap 7.5-15 %", "overlap 0-7.5 %", "gap 0-20 %", "gap >= 20 %", "no pair touching", "a pair touching"];
int BucketOf(float closest) => closest < -0.075f ? 0 : closest < 0 ? 1 : closest < 0.2f ? 2 : 3;
string Percent(int part, int whole) => whole == 0 ? "-" : (100.0 * part / whole).ToString("0.00", CultureInfo.InvariantCulture) + " %";
if (dumpFolder.Length > 0)
    Directory.CreateDirectory(dumpFolder);
foreach (var mode in modes)
{
    // The same numbers for every mode: the composer restarts from the seed.
    Func<GrayImage, float>? confidence = mode == "recognised" ? crop => Read(crop).Confidence : null;
    var all = new NumberTally();
    var buckets = bucketNames.Select(_ => new NumberTally()).ToArray();
    var composer = new NumberComposer(images, labels, settings);
    var random = new Random(seed);
    var segmentTime = new Stopwatch();
    int dumped = 0, tooFewTotal = 0, tooManyTotal = 0, splitSegments = 0;
    long canvasWidths = 0, canvasHeights = 0;
    for (int index = 0; index < count; index++)
    {
        var number = composer.Next(random);
        (canvasWidths, canvasHeights) = (canvasWidths + number.Canvas.Width, canvasHeights + number.Canvas.Height);
        IReadOnlyList<DigitSegment> segments;
        PixelRect[] bounds;
        (int Digit, float Confidence)[] read;
        bool facadeUnsure = false;
        segmentTime.Start();
        if (mode == "facade")
        {
            // What users call: ReadNumber scales, segments with the model's confidence and classifies every digit; a digit
            // it calls "not a digit" counts as wrong (-1).
            var reading = scorer.Classifier.ReadNumber(number.Canvas);
            segmentTime.Stop();
            segments = [.. reading.Digits.Select(d => d.Segment)];
            bounds = [.. reading.Digits.Select(d => d.Bounds)];
            read = [.. reading.Digits.Select(d => (d.Prediction.IsDigit ? int.Parse(d.Prediction.Digit, CultureInfo.InvariantCulture) : -1, d.Prediction.Confidence))];
            facadeUnsure = reading.IsUnsure;
        }
        else
        {
            segments = confidence is null
                ? NumberSegmenter.Segment(number.Canvas, segmenterOptions)
                : NumberSegmenter.Segment(number.Canvas, confidence, segmenterOptions);
            segmentTime.Stop();
            bounds = [.. segments.Select(s => s.Bounds)];
            read = [.. segments.Select(s => Read(s.Image))];
        }
        splitSegments += segments.Count(s => s.WasSplit);
        var oracle = number.Digits.Select(g => Read(g.Ink).Digit).ToArray();
        var boxed = number.Digits.Select(g => Read(Crop(number.Canvas, g.Box)).Digit).ToArray();
        int n = number.Digits.Length;
        bool right = read.Length == n && Enumerable.Range(0, n).All(i => read[i].Digit == number.Digits[i].Label);

        // A true digit counts as read right when the segment overlapping its columns most (IoU at least half) says its label.
        int digitsRight = 0;
        for (int i = 0; i < n; i++)
        {
            int best = -1;
            float bestOverlap = 0.5f;
            for (int s = 0; s < bounds.Length; s++)
                if (ColumnOverlap(bounds[s], number.Digits[i].Box) is var o && o >= bestOverlap)
                    (best, bestOverlap) = (s, o);
            digitsRight += best >= 0 && read[best].Digit == number.Digits[i].Label ? 1 : 0;
        }
        int oracleRight = Enumerable.Range(0, n).Count(i => oracle[i] == number.Digits[i].Label);
        int boxRight = Enumerable.Range(0, n).Count(i => boxed[i] == number.Digits[i].Label);
        bool unsure = mode == "facade" ? facadeUnsure : read.Length == 0 || read.Any(r => r.Confidence < scorer.ConfidenceThreshold)
            || segments.Any(s => s.SegmentationConfidence < segmentationThreshold);

        FailureCause? cause = null;
        if (!right)
        {
            if (read.Length < n)
                cause = FailureCause.TooFewSegments;
            else if (read.Length > n)
                cause = FailureCause.TooManySegments;
            else
            {
                var wrong = Enumerable.Range(0, n).Where(i => read[i].Digit != number.Digits[i].Label).ToArray();
                cause = wrong.Any(i => ColumnOverlap(bounds[i], number.Digits[i].Box) < 0.75f) ? FailureCause.MisplacedCut
                    : wrong.Any(i => oracle[i] != number.Digits[i].Label) ? FailureCause.ClassifierInIsolation
                    : FailureCause.ClassifierOnSegment;
            }
            tooFewTotal += read.Length < n ? 1 : 0;
            tooManyTotal += read.Length > n ? 1 : 0;
            if (dumped < dumpCount && dumpFolder.Length > 0 && mode != "facade")
            {
                dumped++;
                var name = $"{mode}-{index:D5}-{number.Text}-read-{string.Concat(read.Select(r => r.Digit))}-{cause}.png";
                File.WriteAllBytes(Path.Combine(dumpFolder, name), ImageCodec.EncodePng(Picture(number, segments)));
            }
        }
        float closest = number.Gaps.Min();
        foreach (var tally in new[] { all, buckets[BucketOf(closest)], buckets[number.Touching.Any(t => t) ? 5 : 4] })
            tally.Add(right, n, digitsRight, oracleRight == n, oracleRight, boxRight == n, boxRight, unsure, cause);
    }

    Console.WriteLine();
    Console.WriteLine($"## segmentation: {mode switch { "geometry" => "geometry alone", "recognised" => "cuts chosen with the classifier's confidence", _ => "DigitClassifier.ReadNumber (scaled, white-on-black crops, not-a-digit counted wrong)" }}");
    Console.WriteLine($"whole numbers right:            {Percent(all.NumbersRight, all.Numbers)} ({all.NumbersRight} of {all.Numbers})");
    Console.WriteLine($"digits right:                   {Percent(all.DigitsRight, all.Digits)}");
    Console.WriteLine($"baseline, each digit's own ink: {Percent(all.OracleNumbersRight, all.Numbers)} of numbers, {Percent(all.OracleDigitsRight, all.Digits)} of digits");
    Console.WriteLine($"baseline, true boxes cropped:   {Percent(all.BoxNumbersRight, all.Numbers)} of numbers, {Percent(all.BoxDigitsRight, all.Digits)} of digits");
    Console.WriteLine($"segment count too few / many:   {tooFewTotal} / {tooManyTotal} numbers ({Percent(tooFewTotal + tooManyTotal, all.Numbers)})");
    Console.WriteLine($"segments cut from touching ink: {splitSegments}");
    Console.WriteLine($"flagged unsure:                 {Percent(all.Unsure, all.Numbers)} of numbers, {Percent(all.WrongAndUnsure, all.Numbers - all.NumbersRight)} of the wrong ones " +
        (mode == "facade" ? "(NumberReading.IsUnsure)" : $"(a digit's probability < {scorer.ConfidenceThreshold:0.00} or its segmentation confidence < {segmentationThreshold:0.00})"));
    Console.WriteLine($"right when not flagged:         {Percent(all.NumbersRight - (all.Unsure - all.WrongAndUnsure), all.Numbers - all.Unsure)} of the {all.Numbers - all.Unsure} numbers answered without doubt");
    Console.WriteLine($"segmentation time:              {segmentTime.Elapsed.TotalMilliseconds / count:0.000} ms per number{(confidence is null ? "" : ", classifier calls included")} (mean canvas {canvasWidths / count} x {canvasHeights / count} px)");
    Console.WriteLine("failures by cause:");
    foreach (var (cause, number) in all.Causes)
        Console.WriteLine($"  {cause,-22} {number,5}  ({Percent(number, all.Numbers)} of numbers)");
    Console.WriteLine("by the closest pair of digits in the number (gap or overlap of the ink boxes, fraction of the mean width):");
    Console.WriteLine($"  {"bucket",-18} {"numbers",7} {"whole right",12} {"digits right",13} {"own-ink baseline",17} {"too few",8} {"too many",9} {"misplaced",10} {"classifier",11}");
    for (int b = 0; b < buckets.Length; b++)
    {
        var t = buckets[b];
        Console.WriteLine($"  {bucketNames[b],-18} {t.Numbers,7} {Percent(t.NumbersRight, t.Numbers),12} {Percent(t.DigitsRight, t.Digits),13} " +
            $"{Percent(t.OracleNumbersRight, t.Numbers),17} {t.Causes[FailureCause.TooFewSegments],8} {t.Causes[FailureCause.TooManySegments],9} " +
            $"{t.Causes[FailureCause.MisplacedCut],10} {t.Causes[FailureCause.ClassifierInIsolation] + t.Causes[FailureCause.ClassifierOnSegment],11}");
    }
}

// Single MNIST digits must come out as one segment each: a check on merges and cuts that should not happen.
Console.WriteLine();
foreach (var mode in modes)
{
    Func<GrayImage, float>? confidence = mode == "recognised" ? crop => Read(crop).Confidence : null;
    var counts = new int[3];
    foreach (var image in images)
    {
        var digit = GrayImage.FromBytes(28, 28, image);
        var segments = confidence is null
            ? NumberSegmenter.Segment(digit, segmenterOptions)
            : NumberSegmenter.Segment(digit, confidence, segmenterOptions);
        counts[Math.Min(2, segments.Count)]++;
    }
    Console.WriteLine($"single MNIST test digits, {mode}: {counts[1]} of {images.Length} give one segment, {counts[0]} none, {counts[2]} two or more");
}

// The canvas at 3x with each segment's box drawn in mid gray, for looking at failures.
static GrayImage Picture(ComposedNumber number, IReadOnlyList<DigitSegment> segments)
{
    const int Zoom = 3;
    var canvas = number.Canvas;
    var picture = new GrayImage(canvas.Width * Zoom, canvas.Height * Zoom);
    for (int y = 0; y < picture.Height; y++)
        for (int x = 0; x < picture.Width; x++)
        {
            float v = canvas.Pixels[y / Zoom * canvas.Width + x / Zoom];
            picture.Pixels[y * picture.Width + x] = number.Inverted ? 255 - v : v;
        }
    foreach (var box in segments.Select(s => s.Bounds))
        for (int y = box.Y * Zoom; y < (box.Y + box.Height) * Zoom; y++)
            for (int x = box.X * Zoom; x < (box.X + box.Width) * Zoom; x++)
                if (y == box.Y * Zoom || y == (box.Y + box.Height) * Zoom - 1 || x == box.X * Zoom || x == (box.X + box.Width) * Zoom - 1)
                    picture.Pixels[y * picture.Width + x] = 128;
    return picture;
}

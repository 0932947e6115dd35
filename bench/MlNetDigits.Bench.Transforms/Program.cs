using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using MlNetDigits;
using MlNetDigits.Core;
using MlNetDigits.Data;
using MlNetDigits.Transforms;

// Usage: MlNetDigits.Bench.Transforms [dataDir]   (dataDir holds the raw, uncompressed MNIST IDX files; default data/mnist)
// Prints, for each transform, the steady-state fit time and the time to transform and read all 60,000 training images,
// then the per-row pixel loop written with TensorPrimitives against the plain scalar loop it replaced.
var dataDir = args.Length > 0 ? args[0] : "data/mnist";
var images = File.ReadAllBytes(Path.Combine(dataDir, "train-images-idx3-ubyte"));
var labelBytes = File.ReadAllBytes(Path.Combine(dataDir, "train-labels-idx1-ubyte"));
const int rows = 60_000, size = 28 * 28;
if (images.Length != 16 + rows * size || labelBytes.Length != 8 + rows)
    throw new InvalidDataException($"Expected MNIST's raw training files in '{dataDir}' (run `mlnetdigits data fetch`).");
var pixels = new float[rows * size];
for (int i = 0; i < pixels.Length; i++)
    pixels[i] = images[16 + i];
var labels = new uint[rows];
for (int i = 0; i < rows; i++)
    labels[i] = labelBytes[8 + i];
var data = new InMemoryDataView.Builder()
    .AddScalar("Label", NumberDataViewType.UInt32, labels)
    .AddVector("Image", new VectorDataViewType(NumberDataViewType.Single, 28, 28), pixels, DataViewSchema.Annotations.Empty.WithImageShape(1, 28, 28))
    .Build();
var context = new DigitsContext(seed: 1);

static string Ms(double ms) => ms.ToString("F0", CultureInfo.InvariantCulture);

// Reads every value of a column; returns one value so the work cannot be skipped.
static double ReadAll(IDataView view, string name)
{
    var column = view.Schema[name];
    using var cursor = view.GetRowCursor([column]);
    double check = 0;
    if (column.Type is VectorDataViewType)
    {
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        VBuffer<float> buffer = default;
        while (cursor.MoveNext())
        {
            getter(ref buffer);
            check += buffer.GetValues()[400];
        }
    }
    else
    {
        var getter = cursor.GetGetter<uint>(column);
        uint value = 0;
        while (cursor.MoveNext())
        {
            getter(ref value);
            check += value;
        }
    }
    return check;
}

void Time(string name, IEstimator<ITransformer> estimator, string column)
{
    double fit = double.MaxValue, transform = double.MaxValue, check = 0;
    for (int rep = 0; rep < 5; rep++)
    {
        var watch = Stopwatch.StartNew();
        var transformer = estimator.Fit(data);
        fit = Math.Min(fit, watch.Elapsed.TotalMilliseconds);
        watch.Restart();
        check = ReadAll(transformer.Transform(data), column);
        transform = Math.Min(transform, watch.Elapsed.TotalMilliseconds);
    }
    Console.WriteLine($"{name}: fit {Ms(fit)} ms, transform+read {Ms(transform)} ms (best of 5; check {check:G6})");
}

var read = double.MaxValue;
for (int rep = 0; rep < 5; rep++)
{
    var watch = Stopwatch.StartNew();
    ReadAll(data, "Image");
    read = Math.Min(read, watch.Elapsed.TotalMilliseconds);
}
Console.WriteLine($"read Image only: {Ms(read)} ms (best of 5)");
Time("MapValueToKey(Label)", context.Transforms.MapValueToKey("Key", "Label"), "Key");
Time("ScalePixels(Image)", context.Transforms.ScalePixels("P", "Image"), "P");
Time("NormalizeImage(Image)", context.Transforms.NormalizeImage("P", "Image"), "P");
Time("NormalizeMinMax(Image)", context.Transforms.NormalizeMinMax("P", "Image"), "P");
Time("NormalizeMeanVariance(Image)", context.Transforms.NormalizeMeanVariance("P", "Image", fixZero: false), "P");

// The pixel loop alone over all 47,040,000 pixels: scalar against TensorPrimitives (same results, bit for bit).
var output = new float[size];
const float scale = 1f / 255, offset = 0f;
double scalar = double.MaxValue, vectorised = double.MaxValue;
for (int rep = 0; rep < 5; rep++)
{
    var watch = Stopwatch.StartNew();
    for (int r = 0; r < rows; r++)
    {
        var x = pixels.AsSpan(r * size, size);
        for (int i = 0; i < x.Length; i++)
            output[i] = x[i] * scale + offset;
    }
    scalar = Math.Min(scalar, watch.Elapsed.TotalMilliseconds);
    watch.Restart();
    for (int r = 0; r < rows; r++)
    {
        var x = pixels.AsSpan(r * size, size);
        TensorPrimitives.Multiply(x, scale, output);
        TensorPrimitives.Add(output, offset, output);
    }
    vectorised = Math.Min(vectorised, watch.Elapsed.TotalMilliseconds);
}
Console.WriteLine($"pixel loop x * scale + offset: scalar {Ms(scalar)} ms, TensorPrimitives {Ms(vectorised)} ms (best of 5)");

// The NormalizeImage defaults are MNIST's statistics of x / 255.
double sum = 0, sumOfSquares = 0;
foreach (var p in pixels)
{
    var v = p / 255.0;
    sum += v;
    sumOfSquares += v * v;
}
var mean = sum / pixels.Length;
Console.WriteLine($"MNIST training pixels / 255: mean {mean:F4}, population std {Math.Sqrt(sumOfSquares / pixels.Length - mean * mean):F4}");
